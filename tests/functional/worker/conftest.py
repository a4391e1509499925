"""A real SQLite database migrated to head, fresh drivers and a real
controller worker for every test (helpers.py writes the rows)."""
import sys

import pytest
from stevedore import extension

from octavia_aa.common import drivers
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.network import subnets
from tests import noop
from tests.functional.worker import drivers_for_tests
from tests.functional.worker import helpers as h


@pytest.fixture(scope='session')
def test_plugins(tmp_path_factory):
    """The test-only drivers, findable by stevedore in this process."""
    root = drivers_for_tests.publish(tmp_path_factory.mktemp('plugins'))
    sys.path.append(str(root))
    # stevedore keeps each namespace's entry points for the life of the
    # process; a test that loaded a driver earlier would hide these.
    extension.ExtensionManager.ENTRY_POINT_CACHE.clear()
    yield root
    sys.path.remove(str(root))
    extension.ExtensionManager.ENTRY_POINT_CACHE.clear()


@pytest.fixture
def db(tmp_path, test_plugins):
    h.override('state_path', str(tmp_path))
    h.override('connection',
               'sqlite:///%s' % (tmp_path / 'octavia.sqlite'), 'database')
    h.override('persistence_connection',
               'sqlite:///%s' % (tmp_path / 'taskflow.sqlite'), 'task_flow')
    for name, value, group in noop.OVERRIDES:
        h.override(name, value, group)
    # Amphorae that report health, so the roll-ups under test see them.
    h.override('amphora_driver', 'amphora_reporting_test_driver',
               'controller_worker')
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
