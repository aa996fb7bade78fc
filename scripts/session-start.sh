#!/usr/bin/env bash
# Start of a work session: refresh docs/STATUS_SNAPSHOT.md and print its headline.
set -euo pipefail
cd "$(dirname "$0")/.."
PY="${PY:-.venv/bin/python}"
if [[ ! -x "$PY" ]]; then
  echo "no virtualenv yet: run \`make install\` first" >&2
  exit 1
fi
"$PY" -m scripts.ops.status write --quiet
"$PY" -m scripts.ops.status brief
