"""Amphora driver that talks to no agent and remembers what it was told,
so tests can check what a flow pushed."""
import threading

from octavia_aa.amphorae.drivers import base


class NoopAmphoraDriver(base.AmphoraDriver):

    def __init__(self):
        self._lock = threading.Lock()
        self.state = {}   # amphora id -> dict of what was pushed

    def _set(self, amphora, **values):
        with self._lock:
            self.state.setdefault(amphora.id, {}).update(values)

    def wait_for_agent(self, amphora):
        self._set(amphora, agent='up')

    def finalize(self, amphora):
        self._set(amphora, finalized=True)

    def plug_vip(self, amphora, vip, arp):
        self._set(amphora, vip=dict(vip), arp=arp)

    def update_config(self, amphora, config, peers=None):
        self._set(amphora, config=config, peers=list(peers or []))

    def configure_vrrp(self, amphora, peers, priority, vip=None):
        self._set(amphora, vrrp={'peers': list(peers),
                                 'priority': priority,
                                 'vip': dict(vip or {})})

    def reload(self, amphora):
        with self._lock:
            entry = self.state.setdefault(amphora.id, {})
            entry['reloads'] = entry.get('reloads', 0) + 1

    def get_stats(self, amphora):
        with self._lock:
            config = self.state.get(amphora.id, {}).get('config') or {}
        return {lst['id']: {'bytes_in': 0, 'bytes_out': 0,
                            'active_connections': 0, 'total_connections': 0,
                            'request_errors': 0}
                for lst in config.get('listeners', [])}

    def update_agent_config(self, amphora, agent_config):
        self._set(amphora, agent_config=dict(agent_config))

    def plug_network(self, amphora, port, subnet_cidr, mtu=None):
        with self._lock:
            entry = self.state.setdefault(amphora.id, {})
            entry.setdefault('networks', []).append(
                {'port': dict(port), 'subnet_cidr': subnet_cidr})

    def release_vrrp(self, amphora):
        self._set(amphora, vrrp_released=True)

    def drain(self, amphora):
        self._set(amphora, drained=True)

    def delete_config(self, amphora, load_balancer_id):
        with self._lock:
            self.state.get(amphora.id, {}).pop('config', None)

    def update_server_cert(self, amphora, pem):
        self._set(amphora, server_cert=pem)
