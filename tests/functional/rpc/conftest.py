"""A migrated SQLite database shared with a worker child process."""
import pytest

from octavia_aa.common import drivers
from octavia_aa.common import rpc
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.network import subnets
from tests import noop
from tests.functional.rpc import worker_process
from tests.functional.worker import helpers as h


@pytest.fixture
def shared_db(tmp_path):
    url = 'sqlite:///%s' % (tmp_path / 'octavia.sqlite')
    h.override('connection', url, 'database')
    h.override('state_path', str(tmp_path))
    for name, value, group in noop.OVERRIDES:
        h.override(name, value, group)
    db_api.reset()
    drivers.reset()
    subnets.reset()
    migration.upgrade()
    yield url
    h.clear_overrides()
    db_api.reset()
    drivers.reset()


@pytest.fixture
def caster():
    """cast(worker, method, **kwargs) from this process over RabbitMQ."""
    def cast(worker, method, **kwargs):
        h.override('transport_url', worker_process.TRANSPORT_URL)
        h.override('control_exchange', worker.exchange)
        rpc.reset()
        rpc.cast(method, **kwargs)
    yield cast
    rpc.reset()
