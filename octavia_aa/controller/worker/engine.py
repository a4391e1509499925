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

import futurist
from taskflow import engines
from taskflow import states
from taskflow.persistence import backends
from taskflow.persistence import models

from octavia_aa.common import config

CONF = config.CONF
LOG = logging.getLogger(__name__)
FINAL = (states.SUCCESS, states.REVERTED, states.FAILURE)


def persistence_url():
    return (CONF.task_flow.persistence_connection or
            'sqlite:///' + os.path.join(CONF.state_path, 'taskflow.sqlite'))


class FlowRunner:

    def __init__(self):
        self.backend = backends.fetch({'connection': persistence_url()})
        with contextlib.closing(self.backend.get_connection()) as conn:
            conn.upgrade()
        self.book_name = 'octavia-aa-worker:%s' % CONF.host
        # One pool for all flows: an engine that makes its own pool also
        # joins its threads at the end of every flow (about a second).
        self.executor = None
        if CONF.task_flow.engine == 'parallel':
            self.executor = futurist.ThreadPoolExecutor(
                max_workers=CONF.task_flow.max_workers)

    def _options(self):
        options = {'engine': CONF.task_flow.engine}
        if self.executor is not None:
            options['executor'] = self.executor
        return options

    def close(self):
        if self.executor is not None:
            self.executor.shutdown()

    def run(self, factory, args=(), store=None):
        """Run a flow to its end; raises what made it revert."""
        book = models.LogBook(self.book_name)
        engine = engines.load_from_factory(
            factory, factory_args=list(args), store=store or {},
            backend=self.backend, book=book, **self._options())
        self._run(engine, book.uuid)

    def _run(self, engine, book_uuid):
        try:
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

    def resume(self):
        """Finish (or revert) the flows a crashed run left behind."""
        for book_uuid, flow_detail in self.unfinished():
            LOG.info('Resuming flow %s (%s)', flow_detail.name,
                     flow_detail.uuid)
            try:
                engine = engines.load_from_detail(
                    flow_detail, backend=self.backend, **self._options())
                self._run(engine, book_uuid)
            except Exception:
                LOG.exception('Resumed flow %s failed', flow_detail.uuid)
