"""octavia-aa-all as a real process on a free port (noop data plane),
for tests that talk to it over HTTP."""
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time

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


@contextlib.contextmanager
def run_conf(conf, port):
    """octavia-aa-all with config file `conf` (a pathlib.Path) listening
    on `port` until the block ends (SIGTERM, then SIGKILL, even on
    failure); its output goes to all.log beside conf.  Yields the
    process."""
    log = open(conf.parent / 'all.log', 'w')
    proc = subprocess.Popen([os.path.join(BIN, 'octavia-aa-all'),
                             '--config-file', str(conf)],
                            stdout=log, stderr=subprocess.STDOUT)
    try:
        wait_port(port, proc)
        yield proc
    finally:
        stop(proc)
        log.close()


def stop(proc, timeout=30):
    """SIGTERM, then SIGKILL if it is still there after `timeout`."""
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


@contextlib.contextmanager
def run_all(state, extra=''):
    """Start octavia-aa-all with its state in `state` (a pathlib.Path) and
    `extra` appended to its configuration; yields its base URL."""
    port = free_port()
    conf = state / 'octavia-aa.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n'
                    '[api_settings]\nbind_port = %d\n'
                    '[health_manager]\nbind_port = %d\n%s%s'
                    % (state, port, free_port(), noop.CONF_SECTION, extra))
    with run_conf(conf, port):
        yield 'http://127.0.0.1:%d' % port
