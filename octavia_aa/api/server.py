"""Serve the API with gunicorn (a real WSGI server, threads per process).

octavia-aa-api runs [api_settings] api_workers processes; the all-in-one
runs one process that also hosts the worker and the health manager, so
that in-process messaging (fake://) reaches them.
"""
import logging
import math
import os
import signal
import sys

from gunicorn import arbiter
from gunicorn.app import base as gunicorn_base
from gunicorn.workers import gthread

from octavia_aa.api import hooks
from octavia_aa.common import config
from octavia_aa.common import procs
from octavia_aa.common import reload

CONF = config.CONF
LOG = logging.getLogger(__name__)
# Beyond [DEFAULT] stop_timeout before the master kills its workers.
STOP_MARGIN = 2


class ApiServer(gunicorn_base.BaseApplication):

    def __init__(self, workers, on_worker_start=None, on_worker_exit=None,
                 name='octavia-aa-api'):
        self._workers = workers
        self._name = name
        self._on_start = on_worker_start
        self._on_exit = on_worker_exit
        super().__init__()

    def load_config(self):
        settings = {
            'bind': '%s:%d' % (_bracket(CONF.api_settings.bind_host),
                               CONF.api_settings.bind_port),
            'workers': self._workers,
            'worker_class': 'octavia_aa.api.server.ThreadWorker',
            'threads': CONF.api_settings.api_threads,
            'keepalive': 30,
            'timeout': 120,
            # A stop (SIGTERM) ends the workers within this.
            'graceful_timeout': math.ceil(CONF.stop_timeout) + STOP_MARGIN,
            'accesslog': None,
            'errorlog': '-',
            'loglevel': 'warning',
            'proc_name': 'octavia-aa-api',
        }
        for key, value in settings.items():
            self.cfg.set(key, value)
        # Workers die with the master, even a master killed with SIGKILL.
        self.cfg.set('post_fork', lambda server, worker:
                     procs.die_with_parent(server.pid))
        # The last line a stop logs.
        self.cfg.set('on_exit', lambda server: LOG.info('%s stopped',
                                                        self._name))
        if self._on_start is not None:
            self.cfg.set('post_worker_init',
                         lambda worker: self._on_start())
        if self._on_exit is not None:
            self.cfg.set('worker_exit',
                         lambda server, worker: self._on_exit())

    def load(self):
        from octavia_aa.api import app
        return app.setup_app()

    def run(self):
        # gunicorn's own run(), with our Arbiter.
        try:
            Arbiter(self).run()
        except RuntimeError as exc:
            sys.exit('Error: %s' % exc)


class Arbiter(arbiter.Arbiter):
    """gunicorn's master, whose SIGHUP reloads our mutable options in
    every process instead of gunicorn's reload (which would replace the
    workers, and with them the all-in-one's worker and health manager)."""

    def handle_hup(self):
        reload.reload_config()
        for pid in list(self.WORKERS):
            try:
                os.kill(pid, signal.SIGHUP)
            except ProcessLookupError:
                pass


def _bracket(host):
    return '[%s]' % host if ':' in host else host


class ThreadWorker(gthread.ThreadWorker):
    """gunicorn's threaded worker, whose own answers to requests it cannot
    parse (414 URI too long, 431 headers too large, 400 bad request line)
    are Octavia's JSON fault instead of an HTML page."""

    def init_signals(self):
        super().init_signals()
        # gunicorn resets SIGHUP to its default (the worker would die).
        reload.on_sighup()

    def handle_error(self, req, client, addr, exc):
        super().handle_error(req, _FaultSocket(client, exc), addr, exc)


class _FaultSocket:
    """The client socket, with gunicorn's HTML error rewritten on its way
    out (gunicorn chooses the status; the text is ours)."""

    def __init__(self, sock, exc):
        self._sock = sock
        self._exc = exc

    def __getattr__(self, name):
        return getattr(self._sock, name)

    def sendall(self, data):
        line = data.split(b'\r\n', 1)[0].decode('latin-1')
        _, code, reason = (line.split(' ', 2) + ['', ''])[:3]
        if not code.isdigit():
            return self._sock.sendall(data)
        code = int(code)
        text = hooks.message_for(code, reason)
        if code < 500 and text == reason and str(self._exc):
            text = '%s: %s' % (reason, self._exc)
        body = hooks.fault_response(code, text).body
        return self._sock.sendall(
            b'HTTP/1.1 %d %s\r\nConnection: close\r\n'
            b'Content-Type: application/json\r\nContent-Length: %d\r\n\r\n'
            % (code, reason.encode('latin-1'), len(body)) + body)
