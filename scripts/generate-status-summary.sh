#!/usr/bin/env bash
# Writes docs/STATUS_SNAPSHOT.md: what is deployed per stage, open alerts, the last canary and preflight
# results, tests and coverage. Works offline: sources that cannot be reached are reported as such.
set -euo pipefail
cd "$(dirname "$0")/.."
exec "${PY:-.venv/bin/python}" -m scripts.ops.status write "$@"
