#!/bin/bash
# Run the whole test suite (installs what it needs first). Extra arguments
# go to pytest, e.g. tools/run-tests.sh tests/functional/api -x
# A selection that includes tests/devcloud (the default one does) builds the
# VM image if its sources changed, brings the devcloud up, boots the image
# through Nova and brings the devcloud down again (tests/devcloud/conftest.py;
# as root, ~20 min from a cold machine). OCTAVIA_AA_DEVCLOUD=0 deselects it.
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh --test
tools/ensure-services.sh
# The checks of ruff.toml first: a style or complexity slip fails fast.
.venv/bin/ruff check .
# The documentation builds without a warning (Sphinx -W; ~20 s). Into a
# temporary directory: a test run leaves no build output in the tree.
docs_out=$(mktemp -d)
tools/build-docs.sh "$docs_out/html" || { rm -rf "$docs_out"; exit 1; }
rm -rf "$docs_out"
exec .venv/bin/python -m pytest -q -p no:cacheprovider "$@"
