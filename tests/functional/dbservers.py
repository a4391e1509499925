"""A uniquely named database on the machine's real MariaDB or
PostgreSQL, created for one test and dropped after it.  A server that is
down makes the test fail (never skip): these tests are what proves the
row claims on that backend."""
import contextlib
import uuid

import pytest
import sqlalchemy as sa

from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from tests.functional.worker import helpers as h

ADMIN = {
    'mariadb': 'mysql+pymysql://root@127.0.0.1:3306/',
    'postgresql': 'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres',
}


@contextlib.contextmanager
def database(backend):
    """Yields the URL of a new empty database on `backend`."""
    name = 'aa_test_%s' % uuid.uuid4().hex[:10]
    admin_url = ADMIN[backend]
    url = (admin_url + name if backend == 'mariadb'
           else admin_url.rsplit('/', 1)[0] + '/' + name)
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text('CREATE DATABASE %s' % name))
    try:
        yield url
    finally:
        with admin.connect() as conn:
            if backend == 'postgresql':
                conn.execute(sa.text(
                    'SELECT pg_terminate_backend(pid) FROM '
                    'pg_stat_activity WHERE datname = :n'), {'n': name})
            conn.execute(sa.text('DROP DATABASE %s' % name))
        admin.dispose()


@pytest.fixture(params=['sqlite', 'mariadb', 'postgresql'])
def any_db(request, db):
    """The worker tests' db fixture (SQLite), moved to the server the
    parameter names for the test's duration."""
    if request.param == 'sqlite':
        yield request.param
        return
    with database(request.param) as url:
        h.override('connection', url, 'database')
        db_api.reset()
        migration.upgrade()
        try:
            yield request.param
        finally:
            db_api.reset()
