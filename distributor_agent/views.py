"""What the distributor agent reports: per load balancer views and
counters for the API, the heartbeat payload, and the agent's details.
A mixin of agent.Agent (it reads the agent's registry and locks)."""
import os
import time

from distributor_agent import errors
from octavia_aa.common import wire


class StatusViews:
    def _view(self, lb):
        view = self._answer(lb)
        view.update(vip_address=lb.vip_address, interface=lb.interface,
                    affinity=lb.affinity, probe_port=lb.probe_port,
                    subnet_cidr=lb.subnet_cidr, gateway=lb.gateway)
        return view

    def _status(self, lb_id):
        with self._changing(lb_id):
            lb = self._lb(lb_id)
            view = self._view(lb)
            view['counters'] = self.dp.counters(
                lb.interface, self._committed_rules(lb))
            with self._stats_lock:
                for amp in view['amphorae']:
                    amp['probes'] = dict(self._probes.get(
                        (lb.id, amp['id']),
                        {'ok': 0, 'failed': 0, 'last_ok': None}))
                    amp['probes']['consecutive_failures'] = \
                        self._misses.get((lb.id, amp['id']), 0)
        return view

    def status(self, lb_id=None):
        if lb_id:
            return self._status(lb_id)
        out = []
        with self.lock:
            ids = sorted(self.lbs)
        for one in ids:
            try:
                out.append(self._status(one))
            except errors.NotFound:
                pass                   # unplugged meanwhile
        return out

    def heartbeat_payload(self):
        with self.lock:
            lbs = {k: v['heartbeat'] for k, v in self._published.items()}
        return {'type': wire.DISTRIBUTOR_TYPE,
                'ver': wire.DISTRIBUTOR_MSG_VERSION,
                'id': self.opts.distributor_id,
                'vrrp': self.vrrp.state if self.vrrp else None,
                # Seconds in that state: the controller dates a takeover
                # by its own clock (a MASTER whose peer was not heard
                # since then lost its peer).
                'vrrp_age': (round(time.monotonic() - self.vrrp.state_since,
                                   3) if self.vrrp else None),
                'load_balancers': lbs}

    def info(self):
        return {'id': self.opts.distributor_id,
                'hostname': os.uname().nodename,
                'api_version': wire.AGENT_API_VERSION,
                'slots': self.opts.slots}

    def details(self):
        with self.lock:
            d = self.info()
            d.update(load_balancers=len(self.lbs),
                     vips=[{'vip_address': v, 'interface': i}
                           for v, i in self.vip_bindings()],
                     vrrp=self.vrrp.details() if self.vrrp else None,
                     pin_sync=(self.pin_sync.details() if self.pin_sync
                               else None),
                     prober=dict(self.prober),
                     uptime=round(time.time() - self.started, 3),
                     rss_kb=_rss_kb())
        return d


def _rss_kb():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None
