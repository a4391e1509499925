"""The gunicorn application both agents (distributor and amphora) run:
HTTPS with a required client certificate, one worker process with a few
threads (the agent's state and threads live in that worker).

Kept free of oslo.messaging, SQLAlchemy and taskflow imports: agents must
stay small."""
import ssl

from gunicorn.app import base

_TLS = {'TLSv1.2': ssl.TLSVersion.TLSv1_2, 'TLSv1.3': ssl.TLSVersion.TLSv1_3}


class MutualTLSServer(base.BaseApplication):
    """Subclasses set `options` (the agent's option group: bind_host,
    bind_port, agent_tls_minimum_version, agent_server_cert,
    agent_server_ca, request_timeout) and implement load() and
    worker_exit()."""

    options = None

    def load_config(self):
        a = self.options
        host = a.bind_host
        bind = '[%s]:%d' % (host, a.bind_port) if ':' in host else \
            '%s:%d' % (host, a.bind_port)
        minimum = _TLS[a.agent_tls_minimum_version]

        def ssl_context(config, default_factory):
            ctx = default_factory()
            ctx.minimum_version = minimum
            return ctx

        settings = {
            'bind': [bind], 'workers': 1, 'worker_class': 'gthread',
            'threads': 4, 'preload_app': False,
            'certfile': a.agent_server_cert, 'keyfile': a.agent_server_cert,
            'ca_certs': a.agent_server_ca, 'cert_reqs': ssl.CERT_REQUIRED,
            'ssl_context': ssl_context, 'timeout': a.request_timeout,
            'graceful_timeout': 10, 'accesslog': None,
            'worker_exit': lambda server, worker: self.worker_exit(),
        }
        if 'control_socket_disable' in self.cfg.settings:
            # Its default path is per user, not per agent: several agents
            # on one host (netns mode, a VRRP pair) would fight over it.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def worker_exit(self):
        """Stop the agent's threads (runs in the worker process)."""
