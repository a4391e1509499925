"""The API's casts reach a separate octavia-aa-worker process through the
machine's real RabbitMQ, and the worker's flows finish in the shared
database.  No broker is a failure, not a skip: this is the test that the
cross-process path works."""
import os
import signal
import socket
import subprocess
import sys
import time
import uuid

import kombu
import pytest

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import rpc
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.db import models
from octavia_aa.network import subnets
from tests.functional.worker import helpers as h

CONF = config.CONF
BROKER = ('127.0.0.1', 5672)
TRANSPORT_URL = 'rabbit://guest:guest@127.0.0.1:5672/'
# The same broker and vhost ("/") in kombu's spelling.
KOMBU_URL = 'amqp://guest:guest@127.0.0.1:5672//'
# Safety nets against a hung run, not measurements.
READY_WITHIN = 60
FLOW_WITHIN = 120


def _worker_binary():
    return os.path.join(os.path.dirname(sys.executable), 'octavia-aa-worker')


def _wait_for(predicate, within, what, proc, log):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return
        if proc.poll() is not None:
            pytest.fail('worker exited (%s) while waiting for %s:\n%s'
                        % (proc.returncode, what, _tail(log)))
        time.sleep(0.2)
    pytest.fail('gave up waiting for %s:\n%s' % (what, _tail(log)))


def _remove_from_broker(exchange, server_queue):
    """Delete what this run declared that nobody else uses (the shared
    topic queue stays: another run may be consuming from it)."""
    with kombu.Connection(KOMBU_URL) as conn:
        channel = conn.channel()
        channel.queue_delete(server_queue)
        channel.exchange_delete(exchange)


def _tail(path):
    try:
        return ''.join(open(path).readlines()[-40:])
    except OSError:
        return '(no log)'


@pytest.fixture
def shared_db(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'octavia.sqlite')
    h.override('connection', url, 'database')
    h.override('state_path', str(tmp_path))
    db_api.reset()
    drivers.reset()
    subnets.reset()
    migration.upgrade()
    yield url
    h.clear_overrides()
    db_api.reset()
    drivers.reset()


def test_cast_reaches_worker_process_over_rabbitmq(tmp_path, shared_db):
    try:
        socket.create_connection(BROKER, timeout=5).close()
    except OSError as exc:
        pytest.fail('RabbitMQ is not reachable at %s:%d (%s); this test '
                    'needs the real broker' % (BROKER + (exc,)))
    # A unique exchange per run: no other worker or test sees our casts.
    exchange = 'octavia_aa_test_%s' % uuid.uuid4().hex
    host = 'worker-%s' % exchange
    log = tmp_path / 'worker.log'
    conf = tmp_path / 'worker.conf'
    conf.write_text(
        '[DEFAULT]\n'
        'transport_url = %s\n'
        'control_exchange = %s\n'
        'state_path = %s\n'
        'host = %s\n'
        'log_file = %s\n'
        '[database]\n'
        'connection = %s\n'
        % (TRANSPORT_URL, exchange, tmp_path, host, log, shared_db))

    proc = subprocess.Popen([_worker_binary(), '--config-file', str(conf)],
                            stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / 'worker.err', 'w'))
    try:
        _wait_for(lambda: log.exists() and 'Worker ready' in log.read_text(),
                  READY_WITHIN, 'the worker to consume', proc, log)

        h.override('transport_url', TRANSPORT_URL)
        h.override('control_exchange', exchange)
        rpc.reset()
        lb_id = h.make_lb(desired=2, standby=1)
        rpc.cast('create_load_balancer', load_balancer_id=lb_id)

        def settled():
            lb = h.get(models.LoadBalancer, lb_id)
            return lb.provisioning_status in (c.ACTIVE, c.ERROR)
        _wait_for(settled, FLOW_WITHIN, 'the create flow', proc, log)
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.fault) == (c.ACTIVE, None)
        assert len(h.amphorae(lb_id)) == 3
        assert len(h.registrations(lb_id)) == 3

        # A child object's cast, with the locks the API takes.
        listener_id = h.add_child('listener', lb_id,
                                  load_balancer_id=lb_id, protocol='TCP',
                                  protocol_port=443)
        rpc.cast('create_listener', listener_id=listener_id)
        _wait_for(lambda: h.get(models.Listener, listener_id)
                  .provisioning_status != c.PENDING_CREATE,
                  FLOW_WITHIN, 'the listener flow', proc, log)
        assert h.get(models.Listener, listener_id).provisioning_status == (
            c.ACTIVE)
        assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
            c.ACTIVE)

        with db_api.session_scope() as session:
            session.get(models.LoadBalancer, lb_id).provisioning_status = (
                c.PENDING_DELETE)
        rpc.cast('delete_load_balancer', load_balancer_id=lb_id,
                 cascade=True)
        _wait_for(lambda: h.get(models.LoadBalancer, lb_id) is None,
                  FLOW_WITHIN, 'the delete flow', proc, log)
        assert h.count(models.Amphora) == 0
        assert h.count(models.Listener) == 0
        assert h.ipam_owners() == []
    finally:
        rpc.reset()
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGTERM)
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                os.kill(proc.pid, signal.SIGKILL)
                proc.wait()
        _remove_from_broker(exchange, '%s.%s' % (c.RPC_TOPIC, host))
    # SIGTERM is a clean stop, not a crash.
    assert proc.returncode == 0, _tail(log)
    assert 'Stopped' in log.read_text()
