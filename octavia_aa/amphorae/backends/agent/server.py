"""gunicorn application: HTTPS with a required client certificate.

One worker process with a few threads; HAProxy runs on its own (daemon
master), so a restarted worker simply finds it again.
"""
from octavia_aa.amphorae.backends.agent import agent as agent_mod
from octavia_aa.amphorae.backends.agent import app as app_mod
from octavia_aa.amphorae.backends.agent import health
from octavia_aa.common import agent_server


class AgentServer(agent_server.MutualTLSServer):

    def __init__(self, conf):
        self.conf = conf
        self.options = conf.amphora_agent
        self.heartbeat = None
        super().__init__()

    def load(self):
        # Runs in the worker process, after the fork: threads start here.
        agent = agent_mod.Agent(self.conf)
        agent.restore()
        self.heartbeat = health.HeartbeatThread(
            self.conf.amphora_agent.amphora_id, agent.registry,
            self.conf.amphora_health, self.conf.amphora_agent.state_dir,
            extra=agent.udp.collect)
        agent.heartbeat = self.heartbeat
        self.heartbeat.start()
        return app_mod.Application(agent)

    def worker_exit(self):
        if self.heartbeat:
            self.heartbeat.stop()
