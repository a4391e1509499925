"""gunicorn application: HTTPS with a required client certificate.

One worker process (the agent's state and threads live in it) with a few
threads.  If the worker crashes, gunicorn starts a new one, which
restores everything from the state file and adopts a running keepalived.
"""
import ssl

from gunicorn.app import base

from distributor_agent import agent as agent_mod
from distributor_agent import app as app_mod
from distributor_agent import health
from distributor_agent import keepalived
from distributor_agent import prober

_TLS = {'TLSv1.2': ssl.TLSVersion.TLSv1_2, 'TLSv1.3': ssl.TLSVersion.TLSv1_3}


class AgentServer(base.BaseApplication):

    def __init__(self, conf):
        self.conf = conf
        self.agent = None
        self.threads = []
        super().__init__()

    def load_config(self):
        a = self.conf.distributor_agent
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
            # Its default path is per user, not per agent: two agents on
            # one host (a VRRP pair in tests) would fight over it.
            settings['control_socket_disable'] = True
        for key, value in settings.items():
            self.cfg.set(key, value)

    def load(self):
        # Runs in the worker process, after the fork: threads start here.
        conf = self.conf
        self.agent = agent_mod.Agent(conf)
        v = conf.distributor_vrrp
        if v.enabled:
            self.agent.vrrp = keepalived.Supervisor(
                v, conf.distributor_agent.distributor_id, self.agent.dp,
                self.agent.vip_bindings())
        self.agent.restore()
        if self.agent.vrrp:
            self.agent.vrrp.start_keepalived()
            self.threads.append(self.agent.vrrp)
        p = conf.distributor_prober
        self.threads.append(prober.Prober(self.agent, p.interval, p.timeout))
        h = conf.distributor_health
        if h.heartbeat_key and h.controller_ip_port_list:
            hb = health.HeartbeatThread(self.agent, h.heartbeat_key,
                                        h.controller_ip_port_list,
                                        h.heartbeat_interval)
            self.agent.on_change(hb.trigger)
            self.threads.append(hb)
        for t in self.threads:
            t.start()
        return app_mod.Application(self.agent)

    def _worker_exit(self, server, worker):
        for t in self.threads:
            t.stop()
        if self.agent and self.agent.vrrp:
            # Graceful: the peer takes the VIPs now, not after a timeout.
            self.agent.vrrp.stop()
