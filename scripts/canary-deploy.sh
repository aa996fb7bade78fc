#!/usr/bin/env bash
# Canary deploy of one stage's functions behind their `live` aliases, judged by the canary diff.
#
#   scripts/canary-deploy.sh STAGE VERSION        shift CANARY_WEIGHT to VERSION, observe, diff, promote/roll back
#   scripts/canary-deploy.sh --diff-only [STAGE]  only the canary diff (make canary-diff)
#   scripts/canary-deploy.sh --rollback STAGE     every function's traffic back to its alias's primary version
#
# VERSION: the published version of CANARY_FUNCTION to canary (a number, or `latest` for the one
# `make deploy CANARY=1` just published); the other functions with a newer version follow it.
# Settings from the environment: PROMETHEUS_URL (AMP workspace URLs are signed with SigV4),
# BASELINE_RANGE, CANARY_RANGE, P95_INCREASE_LIMIT (1.10), ERR_INCREASE_LIMIT (1.50), ERR_ABS_MIN (0.005),
# CANARY_FUNCTION (webhook), CANARY_ALIAS (live), CANARY_WEIGHT, CANARY_OBSERVE_SECONDS, CANARY_PROMOTE.
# Limits come from scripts/guardrails.conf. Report: .playbook/canary_diff_report.json (status PASS/FAIL).
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; exit 2; }

case "${1:-}" in
  --diff-only)
    exec "$PY" -m scripts.ops.canary diff --stage "${2:-${STAGE:-local}}" ;;
  --rollback)
    [[ -n "${2:-}" ]] || usage
    exec "$PY" -m scripts.ops.canary rollback --stage "$2" ;;
  -h|--help|"")
    usage ;;
esac

[[ $# -eq 2 ]] || usage
exec "$PY" -m scripts.ops.canary deploy "$1" "$2"
