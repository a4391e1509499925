"""Serve the API with gunicorn (a real WSGI server, threads per process).

octavia-aa-api runs [api_settings] api_workers processes; the all-in-one
runs one process that also hosts the worker and the health manager, so
that in-process messaging (fake://) reaches them.
"""
from gunicorn.app import base as gunicorn_base

from octavia_aa.common import config

CONF = config.CONF


class ApiServer(gunicorn_base.BaseApplication):

    def __init__(self, workers, on_worker_start=None, on_worker_exit=None):
        self._workers = workers
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
            'graceful_timeout': 20,
            'accesslog': None,
            'errorlog': '-',
            'loglevel': 'warning',
            'proc_name': 'octavia-aa-api',
        }
        for key, value in settings.items():
            self.cfg.set(key, value)
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
