#!/usr/bin/env bash
# Set up .venv and the embedding model, then run the whole test suite.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh
.venv/bin/assistant setup --model-only
exec .venv/bin/python -m pytest "$@"
