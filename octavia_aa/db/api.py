"""Engine and sessions (oslo.db engines, SQLAlchemy 2 sessions)."""
import contextlib
import threading

from oslo_db.sqlalchemy import engines
import sqlalchemy as sa
from sqlalchemy import orm

from octavia_aa.common import config

CONF = config.CONF
_lock = threading.Lock()
_engine = None
_sessionmaker = None


def _sqlite_pragmas(dbapi_conn, _record):
    cur = dbapi_conn.cursor()
    # The all-in-one has API threads and flow threads writing at once:
    # WAL lets readers go on during a write, busy_timeout queues writers
    # instead of failing with "database is locked".
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA busy_timeout=30000')
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.close()


def _sqlite_begin_immediate(conn, cursor, statement, params, context,
                            executemany):
    # oslo.db emits a plain (deferred) BEGIN: a transaction that reads and
    # then writes fails at once with "database is locked" when another
    # connection wrote in between (WAL cannot upgrade a stale snapshot,
    # and busy_timeout does not apply).  BEGIN IMMEDIATE takes the write
    # lock up front, so concurrent writers queue on busy_timeout instead.
    if statement == 'BEGIN':
        statement = 'BEGIN IMMEDIATE'
    return statement, params


def get_engine():
    global _engine, _sessionmaker
    with _lock:
        if _engine is None:
            url = CONF.database.connection
            kwargs = {}
            if not url.startswith('sqlite'):
                kwargs = dict(max_pool_size=CONF.database.max_pool_size,
                              max_overflow=CONF.database.max_overflow,
                              pool_timeout=CONF.database.pool_timeout)
            engine = engines.create_engine(
                url, max_retries=CONF.database.max_retries,
                retry_interval=CONF.database.retry_interval,
                connection_recycle_time=(
                    CONF.database.connection_recycle_time),
                **kwargs)
            if engine.dialect.name == 'sqlite':
                sa.event.listen(engine, 'connect', _sqlite_pragmas)
                sa.event.listen(engine, 'before_cursor_execute',
                                _sqlite_begin_immediate, retval=True)
                engine.dispose()
            _engine = engine
            _sessionmaker = orm.sessionmaker(bind=engine,
                                             expire_on_commit=False)
        return _engine


def reset():
    """Forget the engine (tests switch databases)."""
    global _engine, _sessionmaker
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = _sessionmaker = None


def get_session():
    get_engine()
    return _sessionmaker()


@contextlib.contextmanager
def session_scope():
    """A session in one transaction: commit on success, roll back on error."""
    session = get_session()
    try:
        with session.begin():
            yield session
    finally:
        session.close()
