"""The worker tests' fixtures (real SQLite database, noop drivers), the
same on a real MariaDB or PostgreSQL database, and a health manager
listening on a free UDP port."""
import pytest

from octavia_aa.controller.healthmanager import service as hm_service
from tests.functional.dbservers import any_db  # noqa: F401
from tests.functional.worker import helpers as h
from tests.functional.worker.conftest import db  # noqa: F401
from tests.functional.worker.conftest import test_plugins  # noqa: F401
from tests.functional.worker.conftest import worker  # noqa: F401

KEY = 'hm-test-key'


@pytest.fixture
def health_manager(db):  # noqa: F811
    h.override('heartbeat_key', KEY, 'health_manager')
    h.override('bind_ip', '127.0.0.1', 'health_manager')
    h.override('bind_port', 0, 'health_manager')
    # Tests call check_stale() themselves.
    h.override('health_check_interval', 3600, 'health_manager')
    svc = hm_service.HealthManagerService()
    svc.start()
    yield svc
    svc.stop()
