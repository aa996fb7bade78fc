#!/usr/bin/env bash
# Creates .venv with the pinned dependencies and puts the repo root and the layer on its path,
# so imports are the same as in Lambda (functions.<name>.handler, hotel_common).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-python3}
[ -x .venv/bin/python ] || "$PYTHON" -m venv .venv
.venv/bin/python -m pip install -q --disable-pip-version-check -e '.[dev]' 2>&1 | grep -v "^WARNING: Location" || true
.venv/bin/python -c 'import boto3, moto, aws_lambda_powertools, pydantic' # fail loudly on a broken install
site=$(.venv/bin/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')
printf '%s\n%s\n' "$PWD" "$PWD/layers/common" > "$site/agente_hotel_paths.pth"
