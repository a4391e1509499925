"""Stopping the services: `kill <pid>` (SIGTERM) of octavia-aa-all ends
its forked worker process too, within a few seconds, and logs what it
stops (each service, then one line that it stopped; no traceback);
SIGKILL of octavia-aa-all or of octavia-aa-api's gunicorn master takes
the forked children with it (they die with their parent).  Real
processes, checked by PID."""
import os
import signal
import subprocess
import sys
import time

import pytest

from octavia_aa.common import procs
from tests import noop
from tests import service as service_proc

BIN = os.path.dirname(sys.executable)
# Bounds of correctness, not measurements: [DEFAULT] stop_timeout (3 s)
# and the margins of the stop.
GONE_WITHIN = 8
# A child that dies with its parent is gone at once (a worker that only
# notices its parent changed took 3-4 s, and went on working meanwhile).
ORPHAN_GONE_WITHIN = 2


def wait_gone(pids, within=GONE_WITHIN):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        left = [p for p in pids if procs.alive(p)]
        if not left:
            return []
        time.sleep(0.1)
    return [p for p in pids if procs.alive(p)]


def start(tmp_path, binary, extra=''):
    port = service_proc.free_port()
    conf = tmp_path / 'octavia-aa.conf'
    log = tmp_path / 'service.log'
    conf.write_text('[DEFAULT]\nstate_path = %s\nlog_file = %s\n'
                    '[api_settings]\nbind_port = %d\napi_workers = 2\n'
                    '[health_manager]\nbind_port = %d\n%s%s'
                    % (tmp_path, log, port, service_proc.free_port(),
                       noop.CONF_SECTION, extra))
    if binary == 'octavia-aa-api':
        subprocess.run([os.path.join(BIN, 'octavia-aa-db-manage'),
                        '--config-file', str(conf), 'upgrade', 'head'],
                       check=True, capture_output=True)
    proc = subprocess.Popen([os.path.join(BIN, binary), '--config-file',
                             str(conf)], stdout=subprocess.DEVNULL,
                            stderr=open(tmp_path / 'stderr', 'w'))
    try:
        service_proc.wait_port(port, proc)
        deadline = time.monotonic() + 30
        expected = 2 if binary == 'octavia-aa-api' else 1
        while len(procs.children(proc.pid)) < expected:
            assert time.monotonic() < deadline, 'no forked worker'
            time.sleep(0.1)
        if binary == 'octavia-aa-all':
            # Up to its services (the worker consumes casts).
            while 'octavia-aa-all ready' not in log.read_text():
                assert time.monotonic() < deadline, 'never ready'
                time.sleep(0.1)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, log


@pytest.fixture
def running():
    started = []

    def run(*args, **kwargs):
        proc, log = start(*args, **kwargs)
        started.append(proc)
        return proc, log
    yield run
    for proc in started:
        for pid in procs.children(proc.pid):
            procs.signal(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.wait()


def test_sigterm_of_all_in_one_ends_its_worker(tmp_path, running):
    proc, log = running(tmp_path, 'octavia-aa-all')
    forked = procs.children(proc.pid)
    before = len(log.read_text().splitlines())
    proc.send_signal(signal.SIGTERM)
    proc.wait(GONE_WITHIN)
    assert wait_gone(forked) == []
    assert proc.returncode == 0
    stop_lines = log.read_text().splitlines()[before:]
    text = '\n'.join(stop_lines)
    # What it stops, in order, then that it stopped; nothing alarming.
    for service in ('HousekeepingService', 'HealthManagerService',
                    'WorkerService'):
        assert 'Stopping %s' % service in text, stop_lines
    assert 'Stopping the RPC server' in text, stop_lines
    assert 'octavia-aa-all stopped' in stop_lines[-1], stop_lines
    assert not any(word in text for word in ('ERROR', 'Traceback',
                                             'WARNING')), stop_lines


@pytest.mark.parametrize('binary', ['octavia-aa-all', 'octavia-aa-api'])
def test_sigkill_of_the_parent_takes_its_children(tmp_path, running,
                                                  binary):
    proc, _log = running(tmp_path, binary)
    forked = procs.children(proc.pid)
    assert forked
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert wait_gone(forked, ORPHAN_GONE_WITHIN) == [], (
        'children outlived their parent')
