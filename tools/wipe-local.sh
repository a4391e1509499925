#!/bin/bash
# Remove the local netns data plane that octavia-aa-all leaves running
# when it stops (like VMs): every amphora and distributor namespace with
# its processes (killed by PID), its ports and the bridges of [netns]
# name_prefix; with --state also the state directory (SQLite database,
# CAs), so the next tools/start.sh begins from nothing. Stop the service
# first. What is already gone is no error; the exit status is 1 if
# something is left. Extra arguments go to the config parser, e.g.
#   tools/wipe-local.sh --config-file /etc/octavia-aa/octavia-aa.conf
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python -m octavia_aa.compute.drivers.netns_wipe "$@"
