"""The jobboard on the machine's Redis (127.0.0.1:6379), under a
namespace of its own per test, deleted afterwards.  Redis down is a
failure, never a skip: these tests are what proves the jobboard."""
import uuid

import pytest
import redis

from tests.functional.worker import helpers as h
from tests.functional.worker.conftest import db  # noqa: F401
from tests.functional.worker.conftest import test_plugins  # noqa: F401

REDIS = ('127.0.0.1', 6379)


@pytest.fixture
def namespace():
    client = redis.Redis(*REDIS, socket_timeout=10)
    try:
        client.ping()
    except redis.RedisError as exc:
        pytest.fail('Redis is not reachable at %s:%d (%s); the jobboard '
                    'tests need the real server' % (REDIS + (exc,)))
    name = 'octavia_aa_test_%s' % uuid.uuid4().hex
    yield name
    for key in client.scan_iter(match=name + '*'):
        client.delete(key)
    client.close()


@pytest.fixture
def jobboard(db, namespace):  # noqa: F811
    h.override('jobboard_enabled', True, 'task_flow')
    h.override('jobboard_backend_namespace', namespace, 'task_flow')
    h.override('jobboard_expiration_time', 4, 'task_flow')
    return namespace
