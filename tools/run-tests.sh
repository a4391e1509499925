#!/bin/bash
# Run the whole test suite (installs what it needs first). Extra arguments
# go to pytest, e.g. tools/run-tests.sh tests/functional/api -x
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh --test
tools/ensure-services.sh
# The checks of ruff.toml first: a style or complexity slip fails fast.
.venv/bin/ruff check .
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
