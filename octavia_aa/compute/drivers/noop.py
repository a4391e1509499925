"""Compute driver that builds nothing but remembers what it was asked,
with management addresses derived from the entity id (link-local, so they
can never be confused with a real address)."""
import hashlib
import threading

from oslo_utils import uuidutils

from octavia_aa.compute.drivers import base


def _fake_ip(seed):
    digest = hashlib.sha256(seed.encode()).digest()
    return '169.254.%d.%d' % (digest[0], digest[1] % 254 + 1)


class NoopComputeDriver(base.ComputeDriver):

    def __init__(self):
        self._lock = threading.Lock()
        # compute_id -> dict(name, kind, entity_id, availability_zone)
        self.machines = {}

    def build(self, name, kind, entity_id, vrrp=None,
              availability_zone=None):
        compute_id = uuidutils.generate_uuid()
        with self._lock:
            self.machines[compute_id] = {
                'name': name, 'kind': kind, 'entity_id': entity_id,
                'availability_zone': availability_zone}
        return compute_id

    def wait_active(self, compute_id):
        with self._lock:
            machine = self.machines.get(compute_id)
        seed = machine['entity_id'] if machine else compute_id
        return {'lb_network_ip': _fake_ip(seed)}

    def delete(self, compute_id):
        with self._lock:
            self.machines.pop(compute_id, None)

    def status(self, compute_id):
        with self._lock:
            return 'ACTIVE' if compute_id in self.machines else 'DELETED'
