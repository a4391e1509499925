"""The worker tests' fixtures (real SQLite database, noop and test-only
drivers through stevedore), plus a cluster manager on the worker, and
the same on a real MariaDB or PostgreSQL database."""
import pytest

from octavia_aa.controller.cluster_manager import manager as cm
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from tests.functional import dbservers
from tests.functional.worker.conftest import db  # noqa: F401
from tests.functional.worker.conftest import test_plugins  # noqa: F401
from tests.functional.worker.conftest import worker  # noqa: F401
from tests.functional.worker import helpers as h


@pytest.fixture
def manager(worker):  # noqa: F811
    return cm.ClusterManager(worker)


@pytest.fixture(params=['sqlite', 'mariadb', 'postgresql'])
def any_db(request, db):  # noqa: F811
    """The db fixture, moved to the server named by the parameter."""
    if request.param == 'sqlite':
        yield request.param
        return
    with dbservers.database(request.param) as url:
        h.override('connection', url, 'database')
        db_api.reset()
        migration.upgrade()
        try:
            yield request.param
        finally:
            db_api.reset()
