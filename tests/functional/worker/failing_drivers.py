"""Test-only drivers that fail on purpose, loaded through stevedore like
any driver (conftest.py publishes their entry points)."""
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
