"""Runs Taskflow flows with SQL persistence, and resumes the ones a
previous run of this worker left unfinished.

Each flow gets its own logbook, named after this host, and the logbook is
destroyed once the flow reached a final state (SUCCESS or REVERTED).  A
logbook still present at start-up belongs to a flow interrupted by a
crash; `resume()` rebuilds it from the stored factory and arguments
(engines.load_from_factory keeps them) and runs it on from where it
stopped.  A jobboard would post these same factory details as jobs.
"""
import contextlib
import logging
import os
import threading
import time

import futurist
import sqlalchemy as sa
from taskflow import engines
from taskflow import states
from taskflow.listeners import base as listeners_base
from taskflow.persistence import backends
from taskflow.persistence import models
from taskflow.persistence.backends import impl_sqlalchemy

from octavia_aa.common import config

CONF = config.CONF
LOG = logging.getLogger(__name__)
FINAL = (states.SUCCESS, states.REVERTED, states.FAILURE)
BOOK_PREFIX = 'octavia-aa-worker:'
# Where Taskflow keeps a flow's store (engine.storage.inject).
_INJECTOR = '_TaskFlow_INJECTOR'


def stored(flow_detail, key):
    """A value of the store the flow was started with, or None."""
    for atom_detail in flow_detail:
        if atom_detail.name == _INJECTOR and isinstance(
                atom_detail.results, dict):
            return atom_detail.results.get(key)
    return None


@contextlib.contextmanager
def _always(_flow_detail):
    yield True


def persistence_url():
    return (CONF.task_flow.persistence_connection or
            'sqlite:///' + os.path.join(CONF.state_path, 'taskflow.sqlite'))


def _sqlite_pragmas(dbapi_conn, _record):
    # Every atom state change is a small write; WAL with NORMAL sync makes
    # them cheap (durable at checkpoints, enough to resume after a crash
    # of the process), busy_timeout queues the parallel engine's writers.
    cur = dbapi_conn.cursor()
    cur.execute('PRAGMA journal_mode=WAL')
    cur.execute('PRAGMA synchronous=NORMAL')
    cur.execute('PRAGMA busy_timeout=30000')
    cur.close()


TIMELINE = logging.getLogger('octavia_aa.timeline')


class _Timeline(listeners_base.Listener):
    """Logs (debug, logger octavia_aa.timeline) when each task of a flow
    runs and ends, with the wall time and the thread: what ran side by
    side and what waited is read from it (tools/build_timeline.py)."""

    def __init__(self, engine, store):
        super().__init__(engine, task_listen_for=(states.RUNNING,
                                                  states.SUCCESS,
                                                  states.FAILURE,
                                                  states.REVERTED))
        self._lb = (store or {}).get('load_balancer_id')

    def _task_receiver(self, state, details):
        TIMELINE.debug('timeline %.3f %s %s %s %s', time.time(), self._lb,
                       details.get('task_name'), state,
                       threading.current_thread().name)


class _SQLBackend(impl_sqlalchemy.SQLAlchemyBackend):
    """Taskflow's SQL backend, with one connection object for all.

    Its connections are stateless wrappers around the engine (close() is
    a no-op) but each one builds its table metadata anew, and storage asks
    for one on every atom state change: that was a third of a flow's CPU.
    """

    def __init__(self, conf):
        super().__init__(conf)
        self._shared = None
        self._shared_lock = threading.Lock()

    def get_connection(self):
        with self._shared_lock:
            if self._shared is None:
                self._shared = super().get_connection()
            return self._shared


def _backend(url):
    if url.split(':', 1)[0] in ('memory', 'dir', 'file', 'zookeeper'):
        return backends.fetch({'connection': url})
    conf = {'connection': url}
    in_memory = url.strip() in ('sqlite://', 'sqlite:///')
    if url.startswith('sqlite') and not in_memory:
        # Taskflow's default NullPool closes the connection after every
        # write; closing the last WAL connection checkpoints the file, a
        # few milliseconds per atom state change.  Keep connections open.
        conf['engine_args'] = {
            'poolclass': sa.pool.QueuePool, 'pool_size': 5,
            'connect_args': {'check_same_thread': False}}
    return _SQLBackend(conf)


class FlowRunner:

    def __init__(self):
        self.backend = _backend(persistence_url())
        engine = getattr(self.backend, 'engine', None)
        if engine is not None and engine.dialect.name == 'sqlite':
            sa.event.listen(engine, 'connect', _sqlite_pragmas)
        self._upgrade_schema()
        self.book_name = BOOK_PREFIX + CONF.host
        # One pool for all flows: an engine that makes its own pool also
        # joins its threads at the end of every flow (about a second).
        self.executor = None
        if CONF.task_flow.engine == 'parallel':
            self.executor = futurist.ThreadPoolExecutor(
                max_workers=CONF.task_flow.max_workers)

    def _upgrade_schema(self, attempts=5):
        # Workers started together on a fresh database race to create
        # Taskflow's tables; the loser fails on "already exists" and, on
        # a retry, finds the schema at head.
        for attempt in range(1, attempts + 1):
            try:
                with contextlib.closing(self.backend.get_connection()) as c:
                    c.upgrade()
                return
            except Exception:
                if attempt == attempts:
                    raise
                LOG.warning('Taskflow schema upgrade raced another process '
                            '(attempt %d), retrying', attempt)
                time.sleep(0.5 * attempt)

    def _options(self):
        options = {'engine': CONF.task_flow.engine}
        if self.executor is not None:
            options['executor'] = self.executor
        return options

    def close(self):
        if self.executor is not None:
            # Not waiting: a task still blocked (a stop cut it short) is
            # resumed from persistence; waiting here would hang the stop.
            self.executor.shutdown(wait=False)

    def run(self, factory, args=(), store=None):
        """Run a flow to its end; raises what made it revert."""
        book = models.LogBook(self.book_name)
        engine = engines.load_from_factory(
            factory, factory_args=list(args), store=store or {},
            backend=self.backend, book=book, **self._options())
        self._run(engine, book.uuid, store)

    def _run(self, engine, book_uuid, store=None):
        try:
            if TIMELINE.isEnabledFor(logging.DEBUG):
                with _Timeline(engine, store):
                    engine.run()
            else:
                engine.run()
        finally:
            if engine.storage.get_flow_state() in FINAL:
                with contextlib.closing(
                        self.backend.get_connection()) as conn:
                    conn.destroy_logbook(book_uuid)

    def unfinished(self):
        with contextlib.closing(self.backend.get_connection()) as conn:
            return [(book.uuid, flow_detail)
                    for book in conn.get_logbooks()
                    if book.name == self.book_name
                    for flow_detail in book]

    def resume(self, leftovers=None, guard=_always):
        """Finish (or revert) the flows a crashed run left behind.

        Take `leftovers` (from unfinished()) before serving new casts:
        listed later, a flow that has just started would run twice.
        guard(flow_detail) is a context manager yielding False when the
        flow must not run now (another worker holds its load balancer).
        """
        if leftovers is None:
            leftovers = self.unfinished()
        for book_uuid, flow_detail in leftovers:
            with guard(flow_detail) as allowed:
                if not allowed:
                    LOG.info('Flow %s is in other hands: not resumed here',
                             flow_detail.uuid)
                    continue
                self._resume_one(book_uuid, flow_detail)

    def _resume_one(self, book_uuid, flow_detail):
        LOG.info('Resuming flow %s (%s)', flow_detail.name, flow_detail.uuid)
        try:
            engine = engines.load_from_detail(
                flow_detail, backend=self.backend, **self._options())
            self._run(engine, book_uuid)
        except Exception:
            LOG.exception('Resumed flow %s failed', flow_detail.uuid)

    def orphans(self, load_balancer_id):
        """Persisted flows of any worker about this load balancer."""
        with contextlib.closing(self.backend.get_connection()) as conn:
            return [(book.uuid, flow_detail)
                    for book in conn.get_logbooks()
                    if book.name.startswith(BOOK_PREFIX)
                    for flow_detail in book
                    if stored(flow_detail, 'load_balancer_id') ==
                    load_balancer_id]

    def adopt(self, load_balancer_id):
        """Finish the flows a dead worker left on this load balancer (the
        caller holds its claim, so none of them is running); returns how
        many there were."""
        found = self.orphans(load_balancer_id)
        for book_uuid, flow_detail in found:
            self._resume_one(book_uuid, flow_detail)
        return len(found)
