"""A real SQLite database migrated to head, fresh drivers and a real
controller worker for every test (helpers.py writes the rows)."""
import sys

import pytest

from octavia_aa.common import drivers
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.network import subnets
from tests.functional.worker import helpers as h

ENTRY_POINTS = """\
[octavia_aa.compute.drivers]
compute_failing_test_driver = \
tests.functional.worker.drivers_for_tests:FailingComputeDriver

[octavia_aa.distributor.drivers]
distributor_failing_test_driver = \
tests.functional.worker.drivers_for_tests:FailingDistributorDriver
distributor_pair_test_driver = \
tests.functional.worker.drivers_for_tests:PerDistributorDriver
"""


@pytest.fixture(scope='session')
def test_plugins(tmp_path_factory):
    """Publish the failing drivers as a distribution on sys.path, so
    stevedore finds them exactly as it finds installed drivers."""
    root = tmp_path_factory.mktemp('plugins')
    info = root / 'octavia_aa_test_drivers-0.0.dist-info'
    info.mkdir()
    (info / 'METADATA').write_text(
        'Metadata-Version: 2.1\nName: octavia-aa-test-drivers\n'
        'Version: 0.0\n')
    (info / 'entry_points.txt').write_text(ENTRY_POINTS)
    sys.path.append(str(root))
    yield root
    sys.path.remove(str(root))


@pytest.fixture
def db(tmp_path, test_plugins):
    h.override('state_path', str(tmp_path))
    h.override('connection',
               'sqlite:///%s' % (tmp_path / 'octavia.sqlite'), 'database')
    h.override('persistence_connection',
               'sqlite:///%s' % (tmp_path / 'taskflow.sqlite'), 'task_flow')
    db_api.reset()
    drivers.reset()
    subnets.reset()
    migration.upgrade()
    yield tmp_path
    h.clear_overrides()
    db_api.reset()
    drivers.reset()


@pytest.fixture
def worker(db):
    return controller_worker.ControllerWorker()
