"""Test-only drivers (failing on purpose, or keeping per-distributor
state), loaded through stevedore like any driver: conftest.py publishes
their entry points."""
import os
import threading

from oslo_utils import uuidutils

from octavia_aa.amphorae.drivers import noop as amphora_noop
from octavia_aa.common import exceptions
from octavia_aa.compute.drivers import noop as compute_noop
from octavia_aa.distributor.drivers import noop as distributor_noop
from octavia_aa.network.drivers import noop as network_noop


class FailingComputeDriver(compute_noop.NoopComputeDriver):
    """Builds fine until call number `fail_on_build` (1-based)."""
    fail_on_build = 2

    def __init__(self):
        super().__init__()
        self.builds = 0

    def build(self, spec):
        self.builds += 1
        if self.builds == self.fail_on_build:
            raise exceptions.DriverError('compute quota exceeded (test)')
        return super().build(spec)


class HangingComputeDriver(compute_noop.NoopComputeDriver):
    """Never finishes a build: touches the file named by $HANG_MARKER and
    blocks, so a test can kill the worker in the middle of a flow."""

    def build(self, spec):
        open(os.environ['HANG_MARKER'], 'w').close()
        threading.Event().wait()


class SlowComputeDriver(compute_noop.NoopComputeDriver):
    """Every build takes $SLOW_SECONDS and first leaves a file named after
    the entity in $SLOW_MARKERS, so a test can kill the worker while a
    build is under way, and a resumed build still finishes."""

    def build(self, spec):
        marker = os.path.join(os.environ['SLOW_MARKERS'], '%s.%s' % (
            spec.entity_id, uuidutils.generate_uuid()))
        open(marker, 'w').close()
        threading.Event().wait(float(os.environ.get('SLOW_SECONDS', '1')))
        return super().build(spec)


class HangingPlugNetworkDriver(network_noop.NoopNetworkDriver):
    """Allocates an amphora's front-end address, touches $HANG_MARKER and
    blocks: the worker dies between the allocation and its record."""

    def plug_amphora(self, amphora, subnet, session=None):
        super().plug_amphora(amphora, subnet, session=session)
        open(os.environ['HANG_MARKER'], 'w').close()
        threading.Event().wait()


class FailingDistributorDriver(distributor_noop.NoopDistributorDriver):
    # Stands for a real driver: distributors are machines to wait for.
    implicit_distributor = None

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


class ReportingAmphoraDriver(amphora_noop.NoopAmphoraDriver):
    """A noop amphora whose agent sends a heartbeat when it is finished,
    through the health manager's own receiver, as a running agent does
    (the plain noop driver reports nothing, so its load balancers stay
    OFFLINE, as upstream's)."""

    def finalize(self, amphora):
        from octavia_aa.controller.healthmanager import health_db
        super().finalize(amphora)
        health_db.record_heartbeat({'id': amphora.id})


ENTRY_POINTS = """\
[octavia_aa.amphora.drivers]
amphora_reporting_test_driver = %(mod)s:ReportingAmphoraDriver

[octavia_aa.compute.drivers]
compute_failing_test_driver = %(mod)s:FailingComputeDriver
compute_hanging_test_driver = %(mod)s:HangingComputeDriver
compute_slow_test_driver = %(mod)s:SlowComputeDriver

[octavia_aa.network.drivers]
network_hanging_plug_test_driver = %(mod)s:HangingPlugNetworkDriver

[octavia_aa.distributor.drivers]
distributor_failing_test_driver = %(mod)s:FailingDistributorDriver
distributor_pair_test_driver = %(mod)s:PerDistributorDriver
""" % {'mod': __name__}


def publish(root):
    """Make these drivers an installed distribution under `root` (a
    directory to put on sys.path), so stevedore finds them exactly as it
    finds real drivers, in this process or in a child."""
    info = root / 'octavia_aa_test_drivers-0.0.dist-info'
    info.mkdir(exist_ok=True)
    (info / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: octavia-aa-test-drivers\n'
        'Version: 0.0\n')
    (info / 'entry_points.txt').write_text(ENTRY_POINTS)
    return root
