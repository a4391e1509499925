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
    delivers_boot_files = False

    def __init__(self):
        self._lock = threading.Lock()
        # compute_id -> dict(name, kind, entity_id, availability_zone,
        # image_tag, compute_flavor, server_group_id, port_ids, files)
        self.machines = {}
        self.server_groups = {}   # id -> dict(name, policy)

    def build(self, spec):
        compute_id = uuidutils.generate_uuid()
        with self._lock:
            self.machines[compute_id] = {
                'name': spec.name, 'kind': spec.kind,
                'entity_id': spec.entity_id,
                'availability_zone': spec.availability_zone,
                'image_tag': spec.image_tag,
                'compute_flavor': spec.compute_flavor,
                'server_group_id': spec.server_group_id,
                'port_ids': [p.id for p in spec.ports],
                'files': sorted(f.path for f in spec.boot_files)}
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

    def create_server_group(self, name, policy='anti-affinity'):
        group_id = uuidutils.generate_uuid()
        with self._lock:
            self.server_groups[group_id] = {'name': name, 'policy': policy}
        return group_id

    def delete_server_group(self, server_group_id):
        with self._lock:
            self.server_groups.pop(server_group_id, None)
