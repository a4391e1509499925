"""The worker tests' fixtures (real SQLite database, noop and test-only
drivers through stevedore), plus a cluster manager on the worker, and
the same on a real MariaDB or PostgreSQL database."""
import pytest

from octavia_aa.controller.cluster_manager import manager as cm
from tests.functional.dbservers import any_db  # noqa: F401
from tests.functional.worker.conftest import db  # noqa: F401
from tests.functional.worker.conftest import test_plugins  # noqa: F401
from tests.functional.worker.conftest import worker  # noqa: F401


@pytest.fixture
def manager(worker):  # noqa: F811
    return cm.ClusterManager(worker)
