#!/bin/bash
# Regenerate the sample config and policy files and the OpenAPI document
# from the code.
set -euo pipefail
cd "$(dirname "$0")/.."
BIN=.venv/bin
$BIN/oslo-config-generator --config-file etc/config/octavia-aa-config-generator.conf
$BIN/oslo-config-generator --config-file etc/config/distributor-agent-config-generator.conf
$BIN/oslo-config-generator --config-file etc/config/amphora-agent-config-generator.conf
$BIN/oslopolicy-sample-generator --config-file etc/policy/octavia-aa-policy-generator.conf
$BIN/python -m octavia_aa.api.openapi --output-file etc/openapi.json
