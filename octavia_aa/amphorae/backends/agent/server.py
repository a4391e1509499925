"""gunicorn application: HTTPS with a required client certificate.

One worker process with a few threads; HAProxy runs on its own (daemon
master), so a restarted worker simply finds it again.
"""
import ssl

from gunicorn.app import base

from octavia_aa.amphorae.backends.agent import agent as agent_mod
from octavia_aa.amphorae.backends.agent import app as app_mod
from octavia_aa.amphorae.backends.agent import health

_TLS = {'TLSv1.2': ssl.TLSVersion.TLSv1_2, 'TLSv1.3': ssl.TLSVersion.TLSv1_3}


class AgentServer(base.BaseApplication):

    def __init__(self, conf):
        self.conf = conf
        self.heartbeat = None
        super().__init__()

    def load_config(self):
        a = self.conf.amphora_agent
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
            'worker_exit': self._worker_exit,
        }
        if 'control_socket_disable' in self.cfg.settings:
            # Its default path is per user: agents of several amphorae on
            # one host would fight over it.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in the worker process, after the fork: threads start here.
        agent = agent_mod.Agent(self.conf)
        agent.restore()
        self.heartbeat = health.HeartbeatThread(
            self.conf.amphora_agent.amphora_id, agent.registry,
            self.conf.amphora_health, self.conf.amphora_agent.state_dir)
        agent.heartbeat = self.heartbeat
        self.heartbeat.start()
        return app_mod.Application(agent)

    def _worker_exit(self, server, worker):
        if self.heartbeat:
            self.heartbeat.stop()
