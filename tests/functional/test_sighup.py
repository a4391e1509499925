"""SIGHUP reloads the options marked mutable, in real processes: the
health manager's heartbeat key and [DEFAULT] debug change without a
restart, an immutable option keeps its value (with a warning), and the
all-in-one (gunicorn master and its worker) survives a SIGHUP and
reloads in both processes."""
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from octavia_aa.common import heartbeat
from tests import noop
from tests import service as service_proc

BIN = os.path.dirname(sys.executable)
# A bound of correctness (the reload runs at once), not a measurement.
WITHIN = 15


def wait_for(log, text, count=1, within=WITHIN):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if log.exists() and log.read_text().count(text) >= count:
            return
        time.sleep(0.1)
    raise AssertionError('%r (x%d) not logged:\n%s'
                         % (text, count, log.read_text()[-3000:]))


def write_conf(path, log, state, hm_port, key, debug, timeout):
    path.write_text(
        '[DEFAULT]\nstate_path = %s\nlog_file = %s\ndebug = %s\n'
        '[health_manager]\nbind_ip = 127.0.0.1\nbind_port = %d\n'
        'heartbeat_key = %s\nheartbeat_timeout = %d\n%s'
        % (state, log, debug, hm_port, key, timeout, noop.CONF_SECTION))


def probe(port, key):
    """A datagram signed with `key` whose body the health manager then
    refuses for a garbled stamp: 'Heartbeat from probe dropped' means the
    signature was accepted, 'Dropped heartbeat from' that it was not."""
    data = heartbeat.encode({'id': 'probe', 'boot': 'x', 'seq': 1}, key)
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        sock.sendto(data, ('127.0.0.1', port))


def test_sighup_reloads_the_heartbeat_key_and_debug(tmp_path):
    conf, log = tmp_path / 'hm.conf', tmp_path / 'hm.log'
    port = service_proc.free_port()
    write_conf(conf, log, tmp_path, port, 'old-key', 'false', 60)
    subprocess.run([os.path.join(BIN, 'octavia-aa-db-manage'),
                    '--config-file', str(conf), 'upgrade', 'head'],
                   check=True, capture_output=True)
    proc = subprocess.Popen(
        [os.path.join(BIN, 'octavia-aa-health-manager'), '--config-file',
         str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_for(log, 'Health manager listening')
        probe(port, 'new-key')
        wait_for(log, 'Dropped heartbeat from')
        assert 'Heartbeat from probe dropped' not in log.read_text()

        write_conf(conf, log, tmp_path, port, 'new-key', 'true', 90)
        proc.send_signal(signal.SIGHUP)
        wait_for(log, 'Reloaded: ')
        text = log.read_text()
        reloaded = [line for line in text.splitlines()
                    if 'Reloaded: ' in line][0]
        assert 'DEFAULT.debug' in reloaded
        assert 'health_manager.heartbeat_key' in reloaded
        # Names only: the key itself is never logged.
        assert 'new-key' not in text and 'old-key' not in text
        # Immutable: refused with a warning, and not in the reloaded list.
        assert 'heartbeat_timeout' not in reloaded
        assert 'heartbeat_timeout' in text
        # debug took effect in the running process.
        wait_for(log, 'Debug logging is on')

        probe(port, 'new-key')
        wait_for(log, 'Heartbeat from probe dropped')
        probe(port, 'old-key')
        wait_for(log, 'Dropped heartbeat from', count=2)
        assert proc.poll() is None
    finally:
        service_proc.stop(proc)


def test_sighup_of_all_in_one_reloads_master_and_worker(tmp_path):
    port, hm_port = service_proc.free_port(), service_proc.free_port()
    conf, log = tmp_path / 'octavia-aa.conf', tmp_path / 'all.log.oslo'
    write_conf(conf, log, tmp_path, hm_port, 'old-key', 'false', 60)
    with open(conf, 'a') as f:
        f.write('distributor_bootstrap = none\n'
                '[api_settings]\nbind_port = %d\n' % port)
    with service_proc.run_conf(conf, port) as proc:
        wait_for(log, 'octavia-aa-all ready')
        workers_before = _children(proc.pid)
        conf.write_text(conf.read_text().replace('old-key', 'new-key'))
        proc.send_signal(signal.SIGHUP)
        # The master, then its worker (which hosts the health manager).
        wait_for(log, 'Reloaded: health_manager.heartbeat_key', count=2)
        probe(hm_port, 'new-key')
        wait_for(log, 'Heartbeat from probe dropped')
        # gunicorn's own SIGHUP would have replaced the worker.
        assert _children(proc.pid) == workers_before
        with urllib.request.urlopen('http://127.0.0.1:%d/' % port,
                                    timeout=10) as resp:
            assert resp.status == 200
        assert proc.poll() is None


def _children(pid):
    from octavia_aa.common import procs
    return sorted(procs.children(pid))
