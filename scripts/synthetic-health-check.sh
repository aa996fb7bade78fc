#!/usr/bin/env bash
# Synthetic health check: /health/live (critical), /health/ready (important), /metrics (optional).
#
#   HEALTH_CHECK_URL=https://api.example.com TIMEOUT=10 MAX_RETRIES=3 SLACK_WEBHOOK=https://hooks.slack.com/... \
#     scripts/synthetic-health-check.sh [--no-alert]
#
# TIMEOUT and MAX_RETRIES are capped by scripts/guardrails.conf (60 s, 10); at least 1 s between requests;
# one Slack alert per 5 minutes at most (lock file ALERT_LOCK_FILE, default .local/synthetic-health-alert.lock).
# Exit: 0 healthy, 1 degraded, 2 unhealthy, 3 bad configuration. Suitable for cron.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PY:-.venv/bin/python}" -m scripts.ops.synthetic "$@"
