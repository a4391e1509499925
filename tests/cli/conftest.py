"""octavia-aa-all as a real process on a free port, and the real
`openstack` CLI pointed at it (auth type none, as without Keystone)."""
import json
import os
import subprocess

import pytest

from tests import service as service_proc

BIN = service_proc.BIN


class Service(str):
    """The endpoint URL, which also knows the service's state path."""

    def __new__(cls, url, state):
        obj = super().__new__(cls, url)
        obj.state = str(state)
        return obj


@pytest.fixture(scope='module')
def service(tmp_path_factory):
    state = tmp_path_factory.mktemp('state')
    with service_proc.run_all(state) as url:
        yield Service(url, state)


class Cli:
    def __init__(self, endpoint):
        self.env = dict(os.environ, OS_AUTH_TYPE='none',
                        OS_ENDPOINT=endpoint)
        for key in list(self.env):
            if key.startswith('OS_') and key not in ('OS_AUTH_TYPE',
                                                     'OS_ENDPOINT'):
                del self.env[key]

    def run(self, *args, ok=True):
        proc = subprocess.run([os.path.join(BIN, 'openstack'), *args],
                              env=self.env, capture_output=True, text=True,
                              timeout=120)
        if ok and proc.returncode != 0:
            raise AssertionError('openstack %s failed (%d): %s%s' % (
                ' '.join(args), proc.returncode, proc.stdout, proc.stderr))
        if not ok:
            assert proc.returncode != 0, 'openstack %s succeeded' % (args,)
        return proc

    def json(self, *args):
        return json.loads(self.run(*args, '-f', 'json').stdout or 'null')


@pytest.fixture(scope='module')
def cli(service):
    return Cli(service)
