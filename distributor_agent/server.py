"""gunicorn application: HTTPS with a required client certificate.

One worker process (the agent's state and threads live in it) with a few
threads.  If the worker crashes, gunicorn starts a new one, which
restores everything from the state file and adopts a running keepalived.
"""
import logging

from distributor_agent import agent as agent_mod
from distributor_agent import app as app_mod
from distributor_agent import health
from distributor_agent import keepalived
from distributor_agent import pinsync
from distributor_agent import prober
from octavia_aa.common import agent_server

LOG = logging.getLogger(__name__)


class AgentServer(agent_server.MutualTLSServer):

    def __init__(self, conf):
        self.conf = conf
        self.options = conf.distributor_agent
        self.agent = None
        self.threads = []
        super().__init__()

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
            self.agent.vrrp.on_state = lambda state: self.agent.changed()
            self.threads.append(self.agent.vrrp)
            key = v.pin_sync_key or conf.distributor_health.heartbeat_key
            if key:
                self.agent.pin_sync = pinsync.PinSync(
                    self.agent, v, key, conf.distributor_agent.flow_timeout)
                self.agent.on_change(self.agent.pin_sync.changed)
                self.threads.append(self.agent.pin_sync)
            else:
                LOG.warning('No pin_sync_key nor heartbeat_key: pinned flows '
                            'are not shared with the VRRP peer')
        self.threads.append(prober.Prober(self.agent))
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

    def worker_exit(self):
        for t in self.threads:
            t.stop()
        if self.agent and self.agent.vrrp:
            # Graceful: the peer takes the VIPs now, not after a timeout.
            self.agent.vrrp.stop()
