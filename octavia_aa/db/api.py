"""Engine and sessions (SQLAlchemy 2 sessions; oslo.db engines for MariaDB
and PostgreSQL, a pooled engine of our own for SQLite)."""
import contextlib
import threading

from oslo_db.sqlalchemy import engines
from oslo_db.sqlalchemy import exc_filters
import sqlalchemy as sa
from sqlalchemy import orm

from octavia_aa.common import config

CONF = config.CONF
_lock = threading.Lock()
_engine = None
_sessionmakers = {}

READONLY = 'octavia_aa_readonly'


def _sqlite_connect(dbapi_conn, _record):
    # We emit BEGIN ourselves (see _sqlite_begin), so pysqlite must not.
    dbapi_conn.isolation_level = None
    cur = dbapi_conn.cursor()
    # The all-in-one has API threads and flow threads writing at once:
    # WAL lets readers go on during a write, busy_timeout queues writers
    # instead of failing with "database is locked".
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA busy_timeout=30000')
    cur.execute('PRAGMA foreign_keys=ON')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.close()


def _sqlite_begin(conn):
    # A transaction that reads and then writes fails at once with
    # "database is locked" when another connection wrote in between (WAL
    # cannot upgrade a stale snapshot, and busy_timeout does not apply), so
    # writers take the write lock up front with BEGIN IMMEDIATE and queue
    # on busy_timeout.  Read-only sessions keep a deferred BEGIN and never
    # wait for writers.
    readonly = conn.get_execution_options().get(READONLY)
    conn.exec_driver_sql('BEGIN' if readonly else 'BEGIN IMMEDIATE')


def _sqlite_engine(url):
    # oslo.db forces NullPool on file SQLite, which reconnects and re-runs
    # the PRAGMAs on every session (~5 ms); a pool keeps connections.
    engine = sa.create_engine(
        url, poolclass=sa.pool.QueuePool, pool_size=8, max_overflow=16,
        pool_timeout=60, connect_args={'check_same_thread': False,
                                       'timeout': 30})
    sa.event.listen(engine, 'connect', _sqlite_connect)
    sa.event.listen(engine, 'begin', _sqlite_begin)
    # Same exception translation as oslo.db (DBDuplicateEntry, ...).
    exc_filters.register_engine(engine)
    return engine


def _full_unicode(url):
    """MariaDB/MySQL: talk utf8mb4 unless the URL says otherwise (oslo.db
    asks for utf8, that is utf8mb3, which cannot carry characters beyond
    the BMP: an emoji in a name would be a database error)."""
    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != 'mysql' or 'charset' in parsed.query:
        return url
    return parsed.update_query_dict({'charset': 'utf8mb4'}).render_as_string(
        hide_password=False)


def get_engine():
    global _engine
    with _lock:
        if _engine is None:
            url = CONF.database.connection
            if url.startswith('sqlite'):
                _engine = _sqlite_engine(url)
            else:
                _engine = engines.create_engine(
                    _full_unicode(url), max_retries=CONF.database.max_retries,
                    retry_interval=CONF.database.retry_interval,
                    connection_recycle_time=(
                        CONF.database.connection_recycle_time),
                    max_pool_size=CONF.database.max_pool_size,
                    max_overflow=CONF.database.max_overflow,
                    pool_timeout=CONF.database.pool_timeout)
            _sessionmakers[False] = orm.sessionmaker(
                bind=_engine, expire_on_commit=False)
            _sessionmakers[True] = orm.sessionmaker(
                bind=_engine.execution_options(**{READONLY: True}),
                expire_on_commit=False)
        return _engine


def reset():
    """Forget the engine (tests switch databases)."""
    global _engine
    with _lock:
        if _engine is not None:
            _engine.dispose()
        _engine = None
        _sessionmakers.clear()


def get_session(readonly=False):
    get_engine()
    return _sessionmakers[readonly]()


@contextlib.contextmanager
def session_scope(readonly=False):
    """A session in one transaction: commit on success, roll back on error.
    readonly: the caller only reads (on SQLite it then never waits for a
    writer)."""
    session = get_session(readonly)
    try:
        with session.begin():
            yield session
    finally:
        session.close()


@contextlib.contextmanager
def in_session(session=None):
    """The caller's session (its transaction goes on), or a
    session_scope() of our own when it has none."""
    if session is not None:
        yield session
    else:
        with session_scope() as own:
            yield own
