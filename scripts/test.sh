#!/usr/bin/env bash
# Runs the test suite on one Keras backend: scripts/test.sh [tensorflow|jax|torch] [pytest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-tensorflow}"
shift || true
export KERAS_BACKEND="$backend"
export KERASGAN_DATA_DIR="${KERASGAN_DATA_DIR:-$(cd .. && pwd)/shared/datasets}"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
