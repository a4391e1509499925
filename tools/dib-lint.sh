#!/bin/bash
# dib-lint (diskimage-builder's element checker) on elements/: it expects
# to run in a DIB-like tree, so it runs in a scratch copy.
set -euo pipefail
cd "$(dirname "$0")/.."
DIB_VENV=${DIB_VENV:-/opt/dib-venv}
[ -x "$DIB_VENV/bin/dib-lint" ] || {
    echo "no $DIB_VENV/bin/dib-lint: run tools/build-images.sh once" >&2
    exit 2; }
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
cp -a elements "$scratch/elements"
rm -f "$scratch/elements/README.md"
mkdir "$scratch/lib"
printf '[dib-lint]\nignore =\n' > "$scratch/tox.ini"
cd "$scratch"
git init -q .       # dib-lint asks git which files are ignored
PATH=$DIB_VENV/bin:$PATH ELEMENTS_DIR=elements LIB_DIR=lib dib-lint
