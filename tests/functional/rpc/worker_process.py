"""octavia-aa-worker as a child process on the machine's RabbitMQ, with a
unique control_exchange so no other run sees its casts."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import kombu
import pytest

from octavia_aa.common import constants as c
from tests import noop

BROKER = ('127.0.0.1', 5672)
TRANSPORT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
# The same broker and vhost ("/") in kombu's spelling.
KOMBU_URL = 'amqp://guest:guest@127.0.0.1:5672//'
REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.dirname(os.path.abspath(__file__)))))
# Safety nets against a hung run, not measurements.
WITHIN = 120


def require_broker():
    """No broker is a failure, not a skip."""
    try:
        socket.create_connection(BROKER, timeout=5).close()
    except OSError as exc:
        pytest.fail('RabbitMQ is not reachable at %s:%d (%s); this test '
                    'needs the real broker' % (BROKER + (exc,)))


def tail(path):
    try:
        return ''.join(open(path).readlines()[-40:])
    except OSError:
        return '(no log)'


class WorkerProcess:

    def __init__(self, tmp_path, db_url, plugins=None):
        self.exchange = 'octavia_aa_test_%s' % uuid.uuid4().hex
        self.host = 'worker-%s' % self.exchange
        self.tmp_path = tmp_path
        self.db_url = db_url
        self.plugins = plugins
        self.proc = None
        self.log = None
        self.runs = 0

    def start(self, extra_conf='', env=None):
        """Start a worker (again, after a stop, on the same state) and
        wait until it consumes."""
        self.runs += 1
        self.log = self.tmp_path / ('worker-%d.log' % self.runs)
        conf = self.tmp_path / ('worker-%d.conf' % self.runs)
        conf.write_text(
            '[DEFAULT]\ntransport_url = %s\ncontrol_exchange = %s\n'
            'state_path = %s\nhost = %s\nlog_file = %s\n'
            '[database]\nconnection = %s\n%s%s'
            % (TRANSPORT_URL, self.exchange, self.tmp_path, self.host,
               self.log, self.db_url, noop.CONF_SECTION, extra_conf))
        child_env = dict(os.environ, **(env or {}))
        # The child finds the test-only drivers (and `tests`) like we do.
        paths = [REPO] + ([str(self.plugins)] if self.plugins else [])
        child_env['PYTHONPATH'] = os.pathsep.join(
            paths + [child_env.get('PYTHONPATH', '')])
        binary = os.path.join(os.path.dirname(sys.executable),
                              'octavia-aa-worker')
        self.proc = subprocess.Popen(
            [binary, '--config-file', str(conf)], env=child_env,
            stdout=subprocess.DEVNULL,
            stderr=open(self.tmp_path / 'worker.err', 'a'))
        self.wait_for(lambda: self.log.exists() and
                      'Worker ready' in self.log.read_text(),
                      'the worker to consume')

    def wait_for(self, predicate, what):
        deadline = time.monotonic() + WITHIN
        while time.monotonic() < deadline:
            if predicate():
                return
            if self.proc.poll() is not None:
                pytest.fail('worker exited (%s) while waiting for %s:\n%s'
                            % (self.proc.returncode, what, tail(self.log)))
            time.sleep(0.1)
        pytest.fail('gave up waiting for %s:\n%s' % (what, tail(self.log)))

    def stop(self, sig=signal.SIGTERM):
        """End the worker by its pid; returns its exit code."""
        if self.proc is not None and self.proc.poll() is None:
            os.kill(self.proc.pid, sig)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait()
        return self.proc.returncode if self.proc else None

    def remove_from_broker(self):
        """Delete what this run declared that nobody else uses (the shared
        topic queue stays: another run may be consuming from it)."""
        with kombu.Connection(KOMBU_URL) as conn:
            channel = conn.channel()
            channel.queue_delete('%s.%s' % (c.RPC_TOPIC, self.host))
            channel.exchange_delete(self.exchange)
