#!/bin/bash
# Run the whole test suite (installs what it needs first). Extra arguments
# go to pytest, e.g. tools/run-tests.sh tests/functional/api -x
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh --test
tools/ensure-services.sh
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
