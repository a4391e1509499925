"""How long the RBAC tests' Keystone fixture takes: installing Keystone
and uwsgi into their venv (0 when it is already there), starting it on a
fresh MariaDB database, making the RBAC tests' projects and users with
their tokens, and tearing it all down.  Last line: one JSON object.

    .venv/bin/python tests/bench/keystone_fixture.py [--venv DIR]

--venv names another venv, e.g. an empty directory to time a cold
install (add PIP_NO_CACHE_DIR=1 to leave pip's cache out too).
"""
import argparse
import json
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
from tests import keystone_server  # noqa: E402
from tests.rbac import conftest  # noqa: E402


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--venv', default=keystone_server.VENV)
    args = parser.parse_args()
    keystone_server.VENV = args.venv
    out = {}
    start = time.monotonic()
    keystone_server.ensure_venv(args.venv)
    out['install_s'] = round(time.monotonic() - start, 2)
    start = time.monotonic()
    with keystone_server.running() as keystone:
        out['start_s'] = round(time.monotonic() - start, 2)
        start = time.monotonic()
        cloud = conftest.Cloud(keystone)
        for user, (project, roles) in conftest.USERS.items():
            cloud.add(user, project, roles)
        out['users'] = len(conftest.USERS)
        out['users_s'] = round(time.monotonic() - start, 2)
        start = time.monotonic()
    out['stop_s'] = round(time.monotonic() - start, 2)
    out['load_avg_1m'] = os.getloadavg()[0]
    print(json.dumps(out))


if __name__ == '__main__':
    main()
