"""octavia-aa-all as a real process on a free port, and the real
`openstack` CLI pointed at it (auth type none, as without Keystone)."""
import contextlib
import json
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from tests import noop

BIN = os.path.dirname(sys.executable)


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def wait_port(port, proc, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise AssertionError('octavia-aa-all exited with %s'
                                 % proc.returncode)
        try:
            with socket.create_connection(('127.0.0.1', port), 0.2):
                return time.monotonic()
        except OSError:
            time.sleep(0.05)
    raise AssertionError('octavia-aa-all did not listen on %d' % port)


class Service(str):
    """The endpoint URL, which also knows the service's state path."""

    def __new__(cls, url, state):
        obj = super().__new__(cls, url)
        obj.state = str(state)
        return obj


@pytest.fixture(scope='module')
def service(tmp_path_factory):
    state = tmp_path_factory.mktemp('state')
    port = free_port()
    conf = state / 'octavia-aa.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n'
                    '[api_settings]\nbind_port = %d\n'
                    '[health_manager]\nbind_port = %d\n%s'
                    % (state, port, free_port(), noop.CONF_SECTION))
    with octavia_aa_all(conf, port):
        yield Service('http://127.0.0.1:%d' % port, state)


@contextlib.contextmanager
def octavia_aa_all(conf, port):
    """octavia-aa-all with config file `conf` (a Path), listening on port
    until the block ends; its output goes to all.log beside conf."""
    with open(conf.parent / 'all.log', 'w') as log:
        proc = subprocess.Popen([os.path.join(BIN, 'octavia-aa-all'),
                                 '--config-file', str(conf)],
                                stdout=log, stderr=subprocess.STDOUT)
        try:
            wait_port(port, proc)
            yield proc
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


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
