#!/bin/bash
# Install what octavia-aa needs on this machine: Debian packages for the
# local data plane, and a virtualenv (.venv) with the project.
#   tools/install.sh          runtime only
#   tools/install.sh --test   runtime and test tools
# Safe to run again: it only installs what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."
. tools/lib/progress.sh

DEBS="nftables keepalived haproxy iproute2 arping tcpdump wrk"
# uwsgi (the RBAC tests' Keystone runs under it) builds from source.
[ "${1:-}" = "--test" ] && DEBS="$DEBS gcc"
missing=""
for pkg in $DEBS; do
    dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "ok installed" \
        || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
    step "Debian packages:$missing"
    SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
    $SUDO apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq \
        --no-install-recommends $missing >/dev/null
fi

PY=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
    step "virtualenv .venv"
    "$PY" -m venv .venv
    .venv/bin/pip install -q -U pip setuptools wheel
fi
stamp=.venv/.installed-$(cat requirements.txt setup.cfg | sha256sum | cut -c1-16)
if [ "${1:-}" = "--test" ]; then
    stamp=$stamp-test-$(sha256sum < test-requirements.txt | cut -c1-16)
fi
if [ ! -e "$stamp" ]; then
    reqs="-r requirements.txt"
    [ "${1:-}" = "--test" ] && reqs="$reqs -r test-requirements.txt"
    step "Python packages ($reqs; a few minutes the first time)"
    .venv/bin/pip install --progress-bar off $reqs | pip_progress
    step "octavia-aa itself"
    .venv/bin/pip install -q --no-deps -e .
    touch "$stamp"
fi
if [ "${1:-}" = "--test" ]; then
    # The RBAC tests' real Keystone and the certificate tests' real
    # Barbican (PyPI + uwsgi), each in its own venv outside git; the
    # fixtures reuse them, or install them themselves.
    step "Keystone and Barbican for the tests (once per machine)"
    .venv/bin/python -c \
        'from tests import keystone_server; keystone_server.ensure_venv()'
    .venv/bin/python -c \
        'from tests import barbican_server as b, keystone_server as k
k.ensure_venv(b.VENV, b.PACKAGES)'
fi
