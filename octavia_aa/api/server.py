"""Serve the API with gunicorn (a real WSGI server, threads per process).

octavia-aa-api runs [api_settings] api_workers processes; the all-in-one
runs one process that also hosts the worker and the health manager, so
that in-process messaging (fake://) reaches them.
"""
import logging
import math

from gunicorn.app import base as gunicorn_base

from octavia_aa.common import config
from octavia_aa.common import procs

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
            'worker_class': 'gthread',
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
        # The one line a stop logs.
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


def _bracket(host):
    return '[%s]' % host if ':' in host else host
