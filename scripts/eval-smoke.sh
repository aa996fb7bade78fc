#!/usr/bin/env bash
# The smoke performance gate: passes when p95 <= P95_LIMIT_MS (450) and the error rate <= MAX_ERROR_RATE (1%)
# in the summary written by `make perf-smoke` (reports/performance/smoke-summary.json, or $1).
set -euo pipefail
cd "$(dirname "$0")/.."
SUMMARY="${1:-reports/performance/smoke-summary.json}"
exec "${PY:-.venv/bin/python}" -m scripts.ops.perf_smoke eval --summary "$SUMMARY"
