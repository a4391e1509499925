"""Test-only drivers (failing on purpose, or keeping per-distributor
state), loaded through stevedore like any driver: conftest.py publishes
their entry points."""
from octavia_aa.common import exceptions
from octavia_aa.compute.drivers import noop as compute_noop
from octavia_aa.distributor.drivers import noop as distributor_noop


class FailingComputeDriver(compute_noop.NoopComputeDriver):
    """Builds fine until call number `fail_on_build` (1-based)."""
    fail_on_build = 2

    def __init__(self):
        super().__init__()
        self.builds = 0

    def build(self, name, kind, entity_id):
        self.builds += 1
        if self.builds == self.fail_on_build:
            raise exceptions.DriverError('compute quota exceeded (test)')
        return super().build(name, kind, entity_id)


class FailingDistributorDriver(distributor_noop.NoopDistributorDriver):

    def register_amphorae(self, distributor, load_balancer_id, amphorae):
        raise exceptions.DriverError('distributor refused registration '
                                     '(test)')


class PerDistributorDriver(distributor_noop.NoopDistributorDriver):
    """Keeps a separate noop table per distributor, so a test can compare
    what each member of a VRRP pair holds."""

    def __init__(self):
        super().__init__()
        self.tables = {}

    def _table(self, distributor):
        return self.tables.setdefault(
            distributor.id, distributor_noop.NoopDistributorDriver())

    def plug_vip(self, distributor, load_balancer_id, *args, **kwargs):
        self._table(distributor).plug_vip(distributor, load_balancer_id,
                                          *args, **kwargs)

    def unplug_vip(self, distributor, load_balancer_id):
        self._table(distributor).unplug_vip(distributor, load_balancer_id)

    def register_amphorae(self, distributor, load_balancer_id, amphorae):
        return self._table(distributor).register_amphorae(
            distributor, load_balancer_id, amphorae)

    def unregister_amphorae(self, distributor, load_balancer_id,
                            amphora_ids):
        return self._table(distributor).unregister_amphorae(
            distributor, load_balancer_id, amphora_ids)

    def drain_amphora(self, distributor, load_balancer_id, amphora_id):
        self._table(distributor).drain_amphora(distributor, load_balancer_id,
                                               amphora_id)
