"""Flows as jobs on a Taskflow jobboard (Redis), run by a conductor in
every worker ([task_flow] jobboard_enabled).

The poster saves the flow's factory and arguments in the SQL persistence
(the same backend as the direct runner), posts a job naming it, and
waits for it to be consumed.  Any worker's conductor claims the job and
runs it; a conductor renews its claim every quarter of
jobboard_expiration_time, so when its worker dies the claim lapses and
another conductor resumes the flow from the persisted atom states.
Each conductor has a name of its own (host, pid and a random part): with
one name per host, a worker restarted there would find its dead life's
claims "already its own", renew them on every pass and never run them.
While it runs a job, a conductor also holds the load balancer's
controller claim, like any flow, so the cluster manager leaves it alone.
"""
import contextlib
import logging
import os
import threading

from oslo_utils import uuidutils
from taskflow import engines
from taskflow import states
from taskflow.conductors.backends import impl_nonblocking
from taskflow.jobs.backends import impl_redis
from taskflow.persistence import models

from octavia_aa.common import config
from octavia_aa.db import claims as claims_mod

CONF = config.CONF
LOG = logging.getLogger(__name__)
JOB_BOOK_PREFIX = 'octavia-aa-job:'
FINAL = (states.SUCCESS, states.REVERTED, states.FAILURE)


class FlowFailed(Exception):
    pass


class Interrupted(Exception):
    """The poster stopped waiting (its worker is stopping); the job stays
    on the board and a conductor runs it."""


def conductor_name():
    """Unique per process and per life of a process."""
    return 'conductor:%s:%d:%s' % (CONF.host, os.getpid(),
                                   uuidutils.generate_uuid()[:8])


class ExpiringRedisJobBoard(impl_redis.RedisJobBoard):
    """Claims that lapse unless renewed: Taskflow's default claim never
    expires, so a dead conductor would keep its jobs forever."""

    def claim(self, job, who, expiry=None):
        return super().claim(
            job, who,
            expiry=expiry or CONF.task_flow.jobboard_expiration_time)


def connect(persistence):
    tf = CONF.task_flow
    board = ExpiringRedisJobBoard(
        'octavia-aa', {'host': tf.jobboard_backend_hosts[0],
                       'port': tf.jobboard_backend_port,
                       'password': tf.jobboard_backend_password or None,
                       'namespace': tf.jobboard_backend_namespace},
        persistence=persistence)
    board.connect()
    return board


class Poster:
    """run(factory, args, store) as FlowRunner.run does, through the
    jobboard: blocks until a conductor consumed the job, raises
    FlowFailed if the flow did not succeed."""

    def __init__(self, backend):
        self.backend = backend
        self.board = connect(backend)
        self._stopping = threading.Event()

    def interrupt(self):
        """Make every run() waiting for its job return (raise Interrupted)
        now: the worker is stopping, its jobs stay on the board."""
        self._stopping.set()

    def run(self, factory, args=(), store=None):
        book = models.LogBook(JOB_BOOK_PREFIX + CONF.host)
        flow_detail = models.FlowDetail(factory.__name__,
                                        uuidutils.generate_uuid())
        book.add(flow_detail)
        engines.save_factory_details(flow_detail, factory, list(args), {})
        with contextlib.closing(self.backend.get_connection()) as conn:
            conn.save_logbook(book)
        job = self.board.post(factory.__name__, book=book,
                              details={'store': store or {},
                                       'flow_uuid': flow_detail.uuid})
        LOG.info('Posted job %s (%s)', job.uuid, factory.__name__)
        while not job.wait(timeout=0.5, max_delay=0.5):
            if self._stopping.is_set():
                # The logbook stays: the conductor that runs the job
                # needs it, and purge_finished() removes it afterwards.
                raise Interrupted('job %s of %s left on the board'
                                  % (job.uuid, factory.__name__))
        with contextlib.closing(self.backend.get_connection()) as conn:
            state = conn.get_flow_details(flow_detail.uuid).state
            conn.destroy_logbook(book.uuid)
        if state != states.SUCCESS:
            raise FlowFailed('job %s of %s ended %s'
                             % (job.uuid, factory.__name__, state))

    def queued(self, load_balancer_id):
        """Whether a job on the board (claimed or not) is about this load
        balancer: a conductor will run it, nobody else may end it."""
        return any(
            ((job.details or {}).get('store') or {}).get(
                'load_balancer_id') == load_balancer_id
            for job in self.board.iterjobs(ensure_fresh=True))

    def purge_finished(self):
        """Logbooks a previous life of this worker posted and died before
        removing: their jobs ran to the end on some conductor.  Those
        still running elsewhere are not final and stay."""
        purged = 0
        with contextlib.closing(self.backend.get_connection()) as conn:
            for book in conn.get_logbooks():
                if book.name == JOB_BOOK_PREFIX + CONF.host and all(
                        fd.state in FINAL for fd in book):
                    conn.destroy_logbook(book.uuid)
                    purged += 1
        return purged

    def close(self):
        self.board.close()


class ClaimingConductor(impl_nonblocking.NonBlockingConductor):
    """Renews its jobboard claim while a job runs, and runs it under the
    load balancer's controller claim."""

    def __init__(self, name, board, persistence, claims, engine_options):
        super().__init__(name, board, persistence=persistence,
                         engine=CONF.task_flow.engine,
                         engine_options=engine_options,
                         max_simultaneous_jobs=CONF.task_flow.max_workers)
        self.claims = claims

    def _keep_claim(self, job, done):
        expiry = CONF.task_flow.jobboard_expiration_time
        while not done.wait(expiry / 4.0):
            try:
                job.extend_expiry(expiry)
            except Exception:
                LOG.exception('Extending the claim of job %s failed', job)

    def _dispatch_job(self, job):
        store = (job.details or {}).get('store') or {}
        lb_id = store.get('load_balancer_id')
        done = threading.Event()
        keeper = threading.Thread(target=self._keep_claim, args=(job, done),
                                  name='job-claim', daemon=True)
        keeper.start()
        try:
            hold = (self.claims.hold(
                lb_id, wait=CONF.cluster_manager.claim_timeout + 5)
                if lb_id else claims_mod.always())
            with hold as held:
                if not held:
                    LOG.warning('Load balancer %s is claimed elsewhere: job '
                                '%s given back', lb_id, job)
                    return False
                return super()._dispatch_job(job)
        finally:
            done.set()
            keeper.join()


class ConductorService:
    """The conductor of this worker, in a thread."""

    def __init__(self, worker):
        runner = worker.runner
        self.board = connect(runner.backend)
        options = {}
        if runner.executor is not None:
            options['executor'] = runner.executor
        self.name = conductor_name()
        self.conductor = ClaimingConductor(
            self.name, self.board, runner.backend, worker.claims,
            options)
        self._thread = None

    def start(self):
        LOG.info('Conductor %s consuming jobs', self.name)
        self._thread = threading.Thread(target=self.conductor.run,
                                        name='conductor', daemon=True)
        self._thread.start()

    def stop(self, timeout=None):
        """Stop claiming; running engines suspend at their next atom.  A
        job whose task does not return within `timeout` is left to its
        claim: it lapses once this process is gone and another conductor
        (or this worker's next run) resumes the flow."""
        self.conductor.stop()
        if self._thread is not None:
            self._thread.join(timeout)
            if self._thread.is_alive():
                LOG.warning('Conductor %s stopped with jobs under way; '
                            'they are resumed once their claims lapse',
                            self.name)
                return
            self._thread = None
        self.board.close()
