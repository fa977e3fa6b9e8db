#!/usr/bin/env bash
# Install xinyong into .venv, initialise the embedded SQLite database in data/ (schema, and keys of this
# installation's own in data/keys.json) and start it with demo data.
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python3}"
if [ ! -x .venv/bin/python ]; then
  "$PYTHON" -m venv .venv
fi
.venv/bin/python -m pip install --quiet --upgrade pip
.venv/bin/python -m pip install --quiet -e .
.venv/bin/xinyong init
exec .venv/bin/xinyong serve --demo "$@"
