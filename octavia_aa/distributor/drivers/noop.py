"""Distributor driver that only remembers what it was told."""
import hashlib
import threading

from octavia_aa.common import wire
from octavia_aa.distributor.drivers import base


class NoopDistributorDriver(base.DistributorDriver):
    # No machine to build: deployments with this driver reach ACTIVE.
    implicit_distributor = 'noop-distributor'

    def __init__(self):
        self._lock = threading.Lock()
        self.vips = {}
        self.registrations = {}   # lb_id -> {amphora_id: dict}
        self.unreachable = set()  # distributor ids whose "agent" is gone
        self.server_certs = {}    # distributor id -> last PEM uploaded

    def _answer(self, lb_id):
        amps = sorted(self.registrations.get(lb_id, {}).values(),
                      key=lambda a: a['position'])
        digest = hashlib.sha256(
            ','.join(a['id'] for a in amps).encode()).hexdigest()
        return {'amphorae': [dict(a) for a in amps], 'digest': digest}

    def alive(self, distributor):
        return distributor.id not in self.unreachable

    def plug_vip(self, distributor, load_balancer_id, vip_address,
                 subnet_cidr, gateway, mac_address=None,
                 affinity='SOURCE_IP', probe_port=None):
        with self._lock:
            self.vips[load_balancer_id] = {'vip_address': vip_address,
                                           'affinity': affinity}
            self.registrations.setdefault(load_balancer_id, {})

    def unplug_vip(self, distributor, load_balancer_id):
        with self._lock:
            self.vips.pop(load_balancer_id, None)
            self.registrations.pop(load_balancer_id, None)

    def register_amphorae(self, distributor, load_balancer_id, amphorae,
                          exclusive=False):
        # Same rules as the agent (distributor_agent/agent.py): an
        # existing id is updated, a taken position changes hands.
        with self._lock:
            regs = self.registrations.setdefault(load_balancer_id, {})
            if exclusive:
                listed = {a['id'] for a in amphorae}
                for amp_id in set(regs) - listed:
                    del regs[amp_id]
            for amp in amphorae:
                current = regs.get(amp['id'])
                pos = amp.get('position')
                if pos is None and current:
                    pos = current['position']
                if pos is None:
                    used = {a['position'] for a in regs.values()}
                    pos = next(i for i in range(len(used) + 1)
                               if i not in used)
                for other in [k for k, v in regs.items()
                              if v['position'] == pos and k != amp['id']]:
                    del regs[other]
                new = dict(amp, position=pos,
                           role=amp.get('role', wire.SLOT_ACTIVE).upper())
                if current and current.get('mac') == amp.get('mac'):
                    for flag in ('draining', 'failed'):
                        if current.get(flag):
                            new[flag] = True
                regs[amp['id']] = new
            return self._answer(load_balancer_id)

    def unregister_amphorae(self, distributor, load_balancer_id,
                            amphora_ids):
        with self._lock:
            regs = self.registrations.setdefault(load_balancer_id, {})
            for amp_id in amphora_ids:
                regs.pop(amp_id, None)
            return self._answer(load_balancer_id)

    def drain_amphora(self, distributor, load_balancer_id, amphora_id):
        with self._lock:
            amp = self.registrations.get(load_balancer_id, {}).get(amphora_id)
            if amp:
                amp['draining'] = True

    def activate_amphora(self, distributor, load_balancer_id, amphora_id):
        with self._lock:
            amp = self.registrations.get(load_balancer_id, {}).get(amphora_id)
            if amp:
                amp.pop('draining', None)
                amp.pop('failed', None)

    def get_status(self, distributor, load_balancer_id=None):
        with self._lock:
            return {'vips': dict(self.vips)}

    def update_server_cert(self, distributor, pem):
        if distributor.id in self.unreachable:
            raise base.DistributorUnreachable(distributor.id)
        self.server_certs[distributor.id] = pem
