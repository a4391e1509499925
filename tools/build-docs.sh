#!/bin/bash
# Build the documentation (docs/) as HTML with Sphinx; any warning fails
# the build (-W). Output: docs/_build/html (git-ignored), or the directory
# given as the first argument.
#   tools/build-docs.sh [OUTPUT_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
# The libraries' own deprecation warnings at import are no warning of
# this build (Sphinx's are, and fail it).
export PYTHONWARNINGS=ignore
OUT=${1:-docs/_build/html}
# -E: read every page again (the release notes page changes with git, not
# with its source); -n: every cross-reference must resolve; --keep-going:
# list every warning of the build before failing, not only the first.
exec .venv/bin/sphinx-build -E -W -n --keep-going -q -b html \
    -d "${OUT%/}.doctrees" docs "$OUT"
