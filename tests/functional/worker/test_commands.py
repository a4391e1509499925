"""octavia-aa-health-manager and octavia-aa-housekeeping as real
processes: they serve, and SIGTERM stops them cleanly."""
import os
import signal
import socket
import subprocess
import sys
import time

import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import heartbeat
from octavia_aa.db import models
from tests import noop
from tests.functional.worker import helpers as h

WITHIN = 60   # safety net for polls, not a measurement


def _free_udp_port():
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def _start(name, conf):
    binary = os.path.join(os.path.dirname(sys.executable), name)
    return subprocess.Popen([binary, '--config-file', str(conf)],
                            stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _stop(proc):
    if proc.poll() is None:
        os.kill(proc.pid, signal.SIGTERM)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            os.kill(proc.pid, signal.SIGKILL)
            proc.wait()
    return proc.returncode


def _poll(predicate, what, proc):
    deadline = time.monotonic() + WITHIN
    while not predicate():
        if proc.poll() is not None or time.monotonic() > deadline:
            pytest.fail('gave up waiting for %s (exit %s)'
                        % (what, proc.poll()))
        time.sleep(0.1)


def test_health_manager_and_housekeeping_processes(db, worker):
    port = _free_udp_port()
    log = db / 'services.log'
    conf = db / 'services.conf'
    conf.write_text(
        '[DEFAULT]\nstate_path = %s\nlog_file = %s\n'
        '[database]\nconnection = sqlite:///%s\n'
        '[health_manager]\nbind_ip = 127.0.0.1\nbind_port = %d\n'
        'heartbeat_key = k\n'
        '[house_keeping]\ncleanup_interval = 1\n%s'
        % (db, log, db / 'octavia.sqlite', port, noop.CONF_SECTION))
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    (amp,) = h.amphorae(lb_id)
    with h.db_api.session_scope() as session:
        session.add(models.Amphora(status=c.DELETED))

    hm = _start('octavia-aa-health-manager', conf)
    hk = _start('octavia-aa-housekeeping', conf)
    try:
        _poll(lambda: log.exists() and 'listening on' in log.read_text(),
              'the health manager socket', hm)
        sender = heartbeat.HeartbeatSender('k', ['127.0.0.1:%d' % port])
        sender.send({'id': amp.id, 'seq': 1, 'ver': 3})
        sender.close()
        _poll(lambda: h.get(models.AmphoraHealth, amp.id) is not None,
              'the heartbeat to land', hm)
        _poll(lambda: [a.status for a in h.rows(models.Amphora)] ==
              [c.ALLOCATED], 'the purge of the DELETED amphora', hk)
    finally:
        codes = _stop(hm), _stop(hk)
    assert codes == (0, 0)
