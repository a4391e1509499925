#!/bin/bash
# Install what is needed, then run octavia-aa-all in the foreground on its
# embedded defaults (API on http://127.0.0.1:9876, noauth, SQLite under
# ~/.local/state/octavia-aa). Extra arguments go to octavia-aa-all, e.g.
#   tools/start.sh --config-file /etc/octavia-aa/octavia-aa.conf
set -euo pipefail
cd "$(dirname "$0")/.."
tools/install.sh
echo "Starting octavia-aa-all (it logs 'octavia-aa-all ready' when it serves)"
exec .venv/bin/octavia-aa-all "$@"
