"""The Amphora Cluster Manager: level-triggered reconciliation of one
load balancer (and its cluster) at a time.

A pass claims the load balancer (db/claims.py), compares what should be
with what is (observe.py) and runs the worker's flows that close the
difference, one at a time, looking again after each: replace failed
amphorae (the replacement becomes the standby), take out a dead flow's
half-built or half-deleted amphorae, bring the cluster to its desired
size.  With nothing left to do it rolls up the operating status.

It acts only on ACTIVE load balancers, which it locks PENDING_UPDATE as
the API would (so the API answers 409 meanwhile), and on PENDING_* ones
nobody has claimed for [cluster_manager] pending_timeout: their worker
died.  Those are finished (the dead worker's persisted flow resumed, or
the delete done) or ended: an interrupted create goes to ERROR, an
interrupted update back to ACTIVE and repaired like any other.  A load
balancer in ERROR is left to the operator (failover or delete): a repair
that failed once is not retried in a loop.
"""
import logging

from octavia_aa.common import constants as c
from octavia_aa.controller.cluster_manager import observe
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models
from octavia_aa.db.queries import load_balancer as lb_q

LOG = logging.getLogger(__name__)

# Outcomes of reconcile(), for logs and tests.
GONE = 'gone'
BUSY = 'busy'            # another worker (or thread) holds the claim
WAITING = 'waiting'      # PENDING_*, a worker may still pick its cast up
STEADY = 'steady'        # nothing to do, status rolled up
REPAIRED = 'repaired'
FAILED = 'failed'        # a repair flow failed: the LB is in ERROR
TAKEN_OVER = 'taken_over'
# Flows per claim: enough for leftovers, replacements and a resize.
MAX_ROUNDS = 4
INTERRUPTED = ('interrupted: the worker running this %s stopped and no '
               'flow was left to resume')


class ClusterManager:

    def __init__(self, worker):
        self.worker = worker

    def load_balancer_ids(self):
        with db_api.session_scope() as session:
            return lb_q.live_ids(session)

    def run_pass(self):
        """One pass over every load balancer; {id: outcome}."""
        outcomes = {}
        with db_api.session_scope() as session:
            breaker = observe.breaker_open(session)
        for lb_id in self.load_balancer_ids():
            try:
                outcomes[lb_id] = (STEADY if self._steady(lb_id, breaker)
                                   else self.reconcile(lb_id))
            except Exception:
                LOG.exception('Reconciling load balancer %s failed', lb_id)
                outcomes[lb_id] = FAILED
        return outcomes

    @staticmethod
    def _steady(lb_id, breaker):
        """Nothing to do but the roll-up, which needs no claim (whoever
        computes it from the same rows gets the same result): most load
        balancers on most passes, without a claim's two writes."""
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, lb_id)
            if lb is None or lb.provisioning_status in c.PENDING_STATUSES:
                return False
            if lb.provisioning_status == c.ACTIVE and observe.difference(
                    session, lb, breaker):
                return False
            lifecycle.roll_up_load_balancer(session, lb)
            return True

    def reconcile(self, lb_id):
        with self.worker.claims.hold(lb_id) as held:
            if not held:
                return BUSY
            # What was done, if anything, is the news; then why it ended.
            outcome = None
            for _ in range(MAX_ROUNDS):
                step = self._round(lb_id)
                if step == FAILED:
                    return FAILED
                if step in (GONE, WAITING, STEADY, BUSY):
                    return outcome or step
                outcome = step
            return outcome

    def _round(self, lb_id):
        """Look once, act once; the outcome of this round."""
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, lb_id)
            if lb is None or lb.provisioning_status == c.DELETED:
                return GONE
            state = lb.provisioning_status
            if state in c.PENDING_STATUSES:
                if not observe.overdue(lb):
                    return WAITING
            elif state != c.ACTIVE:
                lifecycle.roll_up_load_balancer(session, lb)
                return STEADY
            else:
                diff = observe.difference(
                    session, lb, observe.breaker_open(session))
                if not diff:
                    lifecycle.roll_up_load_balancer(session, lb)
                    return STEADY
                # Conditional, so a concurrent API lock and ours cannot
                # both win.
                if not lifecycle.try_lock_for_repair(session, lb,
                                                     cluster=diff.resize):
                    return BUSY
        if state in c.PENDING_STATUSES:
            return self._take_over(lb_id, state)
        return self._repair(lb_id, diff)

    def _repair(self, lb_id, diff):
        if diff.leftovers:
            LOG.warning('Load balancer %s: removing amphorae a stopped flow '
                        'left behind: %s', lb_id, diff.leftovers)
            done = self.worker.remove_amphorae(lb_id, diff.leftovers)
        elif diff.failed:
            LOG.warning('Load balancer %s: replacing failed amphorae %s',
                        lb_id, diff.failed)
            done = self.worker.replace_amphorae(lb_id, diff.failed)
        else:
            LOG.info('Load balancer %s: cluster not at its desired size: '
                     'resizing', lb_id)
            with db_api.session_scope() as session:
                cluster_id = session.get(models.LoadBalancer,
                                         lb_id).cluster.id
            self.worker.resize_cluster(cluster_id)
            done = True
        if not done or self._errored(lb_id):
            return FAILED
        return REPAIRED

    @staticmethod
    def _errored(lb_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, lb_id)
            return lb is not None and lb.provisioning_status == c.ERROR

    def _take_over(self, lb_id, state):
        if self.worker.queued(lb_id):
            # Its job waits for a conductor (all of them were down): the
            # job will finish it.
            return WAITING
        LOG.warning('Load balancer %s has been %s with no worker on it: '
                    'taking it over', lb_id, state)
        if self.worker.adopt(lb_id):
            # The dead worker's flows ran to their end (or reverted).
            return TAKEN_OVER
        if state == c.PENDING_DELETE:
            self.worker.delete_load_balancer(lb_id)
            return TAKEN_OVER
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, lb_id)
            # Whether the children's changes reached the amphorae is
            # unknown.
            lifecycle.fail_children(lb, INTERRUPTED % 'change')
            if state == c.PENDING_CREATE:
                lifecycle.fail_load_balancer(lb, INTERRUPTED % 'create',
                                             cluster_always=True)
            else:
                # The rows say what is wanted: unlock, and the next round
                # repairs whatever the flow left half done.
                lifecycle.release(lb)
        return TAKEN_OVER
