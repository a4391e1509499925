"""Fixtures shared by the whole suite: a migrated SQLite database in a temp
directory, the API as a WSGI app, and the worker in the same process."""
import shutil

import pytest
import webtest

from octavia_aa.common import config
from octavia_aa.common import drivers
from octavia_aa.common import policy
from octavia_aa.common import rpc
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.network import subnets
from tests import noop

CONF = config.CONF
CONF([], project='octavia-aa', default_config_files=[])


def _reset_caches():
    db_api.reset()
    drivers.reset()
    policy.reset()
    subnets.reset()
    rpc.reset()


@pytest.fixture
def overrides():
    """set(name, value, group=None): a config override undone after the
    test."""
    done = []

    def _set(name, value, group=None):
        CONF.set_override(name, value, group=group)
        done.append((name, group))
    yield _set
    for name, group in reversed(done):
        CONF.clear_override(name, group=group)
    _reset_caches()


@pytest.fixture(scope='session')
def migrated_template(tmp_path_factory):
    """One migrated SQLite file; each test gets a copy (faster than
    running the migrations for every test)."""
    path = tmp_path_factory.mktemp('template') / 'octavia.sqlite'
    CONF.set_override('connection', 'sqlite:///%s' % path, 'database')
    try:
        db_api.reset()
        migration.upgrade()
    finally:
        db_api.reset()
        CONF.clear_override('connection', 'database')
    return path


@pytest.fixture
def database(tmp_path, overrides, migrated_template):
    db_file = tmp_path / 'octavia.sqlite'
    shutil.copyfile(migrated_template, db_file)
    overrides('state_path', str(tmp_path))
    overrides('connection', 'sqlite:///%s' % db_file, 'database')
    overrides('persistence_connection',
              'sqlite:///%s' % (tmp_path / 'taskflow.sqlite'), 'task_flow')
    overrides('transport_url', 'fake://')
    for name, value, group in noop.OVERRIDES:
        overrides(name, value, group)
    _reset_caches()
    return tmp_path


@pytest.fixture
def api(database):
    from octavia_aa.api import app
    return webtest.TestApp(app.setup_app())


@pytest.fixture
def worker(database):
    """The real worker consuming casts in this process (fake:// RPC)."""
    from octavia_aa.controller.worker import service
    svc = service.WorkerService()
    svc.start()
    yield svc
    svc.stop()
