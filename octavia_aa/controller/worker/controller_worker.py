"""The controller worker: turns a cast into a plan (read from the rows the
API committed), then runs the flow that carries it out.

A plan that cannot be made (no such row, a cluster row missing, a resize
of a topology without a cluster) never starts a flow: the object goes to
ERROR with the reason as its fault, and what the API locked is unlocked.
"""
import logging
import time

from octavia_aa import topology
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import metrics
from octavia_aa.controller.worker import engine
from octavia_aa.controller.worker import jobboard
from octavia_aa.controller.worker import objects
from octavia_aa.controller.worker.flows import amphora as amp_flows
from octavia_aa.controller.worker.flows import children as child_flows
from octavia_aa.controller.worker.flows import distributor as dist_flows
from octavia_aa.controller.worker.flows import load_balancer as lb_flows
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.db import api as db_api
from octavia_aa.db import claims as claims_mod
from octavia_aa.db import lifecycle
from octavia_aa.db import models
from octavia_aa.db.queries import metrics as metrics_q
from octavia_aa.db.queries import takeover as takeover_q

CONF = config.CONF
LOG = logging.getLogger(__name__)


class PlanError(Exception):
    pass


class ControllerWorker:

    def __init__(self, runner=None, claims=None):
        self.runner = runner or engine.FlowRunner()
        # A flow on a load balancer runs under its claim, so that a
        # reconcile pass in any worker process leaves it alone and can
        # tell a live flow from one whose worker died.
        self.claims = claims or claims_mod.Claims()
        # With a jobboard, flows a cast starts go there, so that another
        # worker finishes them if this one dies.
        self.poster = (jobboard.Poster(self.runner.backend)
                       if CONF.task_flow.jobboard_enabled else None)

    def _claim_wait(self):
        # Long enough for a dead holder's claim to expire.
        return CONF.cluster_manager.claim_timeout + 5

    def _run(self, factory, args=(), store=None):
        """Run a flow; False if it failed (and reverted)."""
        lb_id = (store or {}).get('load_balancer_id')
        if self.poster is not None and not self.claims.mine(lb_id):
            # The conductor that runs the job takes the claim.  A reconcile
            # pass (already holding it) runs its flows here instead: they
            # are redone by the next pass if this worker dies.
            return self._run_unclaimed(factory, args, store, self.poster)
        if lb_id is None:
            return self._run_unclaimed(factory, args, store)
        with self.claims.hold(lb_id, wait=self._claim_wait()) as held:
            if not held:
                # Left PENDING_*: a reconcile pass takes it over once no
                # one holds the claim any more.
                LOG.error('Load balancer %s is claimed by another worker: '
                          'flow %s not run', lb_id, factory.__name__)
                return False
            return self._run_unclaimed(factory, args, store)

    def _run_unclaimed(self, factory, args=(), store=None, runner=None):
        name = metrics.flow_name(factory)
        start = time.monotonic()
        try:
            (runner or self.runner).run(factory, args, store)
            metrics.FLOW_DURATION.labels(name, 'success').observe(
                time.monotonic() - start)
            return True
        except jobboard.Interrupted as exc:
            # Not a failure: the flow is resumed from where it stopped.
            LOG.info('Stopping: %s', exc)
            return False
        except Exception:
            # The flow's revert already wrote the fault; log for operators.
            LOG.exception('Flow %s failed (store %s)', factory.__name__,
                          store)
            metrics.FLOW_DURATION.labels(name, 'failure').observe(
                time.monotonic() - start)
            metrics.FLOW_FAILURES.labels(name).inc()
            return False

    def _failover(self, factory, args, store, amphora_id=None):
        """Run one failover flow (one replaced machine: this amphora, or
        the store's distributor) and count it; when the machine was
        marked failed is read first, for the phase that ends now."""
        kind, model, failed = ('amphora', models.Amphora, amphora_id) \
            if amphora_id else ('distributor', models.Distributor,
                                store['distributor_id'])
        with db_api.session_scope() as session:
            failed_at = metrics_q.failed_at(session, model, failed)
        started = time.time()
        ok = self._run(factory, args, store)
        metrics.observe_failover(kind, store.get('load_balancer_id'), ok,
                                 started, failed_at)
        return ok

    # -- load balancers ---------------------------------------------------

    def _lb(self, session, lb_id):
        lb = session.get(models.LoadBalancer, lb_id)
        if lb is None:
            raise PlanError('load balancer %s not found' % lb_id)
        return lb

    def _planned(self, lb_id, plan):
        """Run plan(session, lb) -> (factory, args); on PlanError or a bad
        topology mark the load balancer ERROR instead of running."""
        try:
            with db_api.session_scope() as session:
                lb = self._lb(session, lb_id)
                return plan(session, lb)
        except (PlanError, ValueError) as exc:
            LOG.error('Cannot act on load balancer %s: %s', lb_id, exc)
            self._fail_lb(lb_id, str(exc))
            return None

    def _fail_lb(self, lb_id, fault):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, lb_id)
            if lb is not None:
                lifecycle.fail_load_balancer(lb, fault)

    def _run_lb(self, lb_id, plan):
        """plan(session, lb) -> (factory, args), or None: nothing to do."""
        planned = self._planned(lb_id, plan)
        if planned is not None:
            factory, args = planned
            self._run(factory, args, {'load_balancer_id': lb_id})

    def create_load_balancer(self, load_balancer_id):
        def plan(session, lb):
            if lb.provisioning_status != c.PENDING_CREATE:
                # A redelivered cast must not build a second set.
                LOG.warning('Load balancer %s is %s, not PENDING_CREATE: '
                            'create ignored', lb.id, lb.provisioning_status)
                return None
            strategy = topology.get(lb.topology)
            return lb_flows.create, [lb.topology, strategy.amphora_roles(lb)]
        self._run_lb(load_balancer_id, plan)

    def update_load_balancer(self, load_balancer_id, updates=None):
        self._run_lb(load_balancer_id, lambda s, lb: (lb_flows.update, []))

    def delete_load_balancer(self, load_balancer_id, cascade=False):
        # The API refuses a non-cascade delete of a load balancer with
        # children; whatever is still there goes with it.
        def plan(session, lb):
            return lb_flows.delete, [lb.topology,
                                     [a.id for a in lb.amphorae]]
        self._run_lb(load_balancer_id, plan)

    def failover_load_balancer(self, load_balancer_id):
        """Rolling: one flow per amphora, in the topology's order; stops
        at the first failure (the load balancer is then in ERROR)."""
        def plan(session, lb):
            strategy = topology.get(lb.topology)
            live = [a for a in lb.amphorae
                    if a.status in (c.ALLOCATED, c.ERROR)]
            # A working amphora drains before it goes, a broken one not.
            return lb.topology, [
                lb_flows.FailoverStep(
                    a.id, a.role, strategy.replacement_role(lb, a),
                    drain=a.status == c.ALLOCATED).as_arg()
                for a in strategy.failover_order(live)]
        planned = self._planned(load_balancer_id, plan)
        if planned is None:
            return
        topology_name, steps = planned
        store = {'load_balancer_id': load_balancer_id}
        if not steps:
            self._run(lb_flows.update, [], store)
            return
        for index, step in enumerate(steps):
            last = index == len(steps) - 1
            if not self._failover(lb_flows.failover,
                                  [topology_name, step, last], store,
                                  step['failed_id']):
                return

    def replace_amphorae(self, load_balancer_id, amphora_ids):
        """Fail over these amphorae one after the other (the cluster
        manager's repair; the load balancer is locked PENDING_UPDATE);
        only the last flow unlocks it.  False at the first failure."""
        def plan(session, lb):
            strategy = topology.get(lb.topology)
            amps = [session.get(models.Amphora, i) for i in amphora_ids]
            return lb.topology, [
                lb_flows.FailoverStep(
                    a.id, a.role, strategy.replacement_role(lb, a)).as_arg()
                for a in strategy.failover_order([a for a in amps if a])]
        planned = self._planned(load_balancer_id, plan)
        if not planned or not planned[1]:
            return planned is not None
        topology_name, steps = planned
        store = {'load_balancer_id': load_balancer_id}
        for index, step in enumerate(steps):
            if not self._failover(
                    lb_flows.failover,
                    [topology_name, step, index == len(steps) - 1], store,
                    step['failed_id']):
                return False
        return True

    def remove_amphorae(self, load_balancer_id, amphora_ids):
        planned = self._planned(load_balancer_id, lambda s, lb: (
            lb_flows.remove_amphorae, [lb.topology, list(amphora_ids)]))
        if planned is None:
            return False
        factory, args = planned
        return self._run(factory, args,
                         {'load_balancer_id': load_balancer_id})

    def failover_amphora(self, amphora_id):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            lb_id = amp.load_balancer_id if amp else None
        if lb_id is None:
            LOG.error('Amphora %s not found or not in a load balancer',
                      amphora_id)
            return

        def plan(session, lb):
            amp = session.get(models.Amphora, amphora_id)
            strategy = topology.get(lb.topology)
            return lb_flows.failover, [lb.topology, lb_flows.FailoverStep(
                amp.id, amp.role,
                strategy.replacement_role(lb, amp)).as_arg()]
        planned = self._planned(lb_id, plan)
        if planned is not None:
            factory, args = planned
            self._failover(factory, args, {'load_balancer_id': lb_id},
                           amphora_id)

    def delete_amphora(self, amphora_id):
        """An amphora in ERROR goes away (`amphora delete`): one that
        still belongs to a load balancer is replaced first, so its
        cluster keeps its size; a spare one is just deleted."""
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            if amp is None:
                LOG.error('Amphora %s not found', amphora_id)
                return
            lb_id = amp.load_balancer_id
        if lb_id is not None:
            self.failover_amphora(amphora_id)
        else:
            self._run(amp_flows.delete, ['amp', amphora_id])

    def resize_cluster(self, cluster_id):
        with db_api.session_scope() as session:
            cluster = session.get(models.Cluster, cluster_id)
            lb_id = cluster.load_balancer_id if cluster else None
        if lb_id is None:
            LOG.error('Cluster %s not found', cluster_id)
            return

        def plan(session, lb):
            add, remove = topology.get(lb.topology).resize_plan(lb)
            return lb_flows.resize, [lb.topology, cluster_id, add, remove]
        self._run_lb(lb_id, plan)

    # -- objects under a load balancer -----------------------------------

    def _object_store(self, kind, object_id):
        with db_api.session_scope() as session:
            obj = session.get(objects.MODELS[kind], object_id)
            if obj is None:
                LOG.error('%s %s not found', kind, object_id)
                return None
            return {'object_id': object_id,
                    'load_balancer_id': objects.load_balancer_of(obj).id}

    def create_object(self, kind, object_id):
        store = self._object_store(kind, object_id)
        if store:
            self._run(child_flows.create_or_update, [kind, 'create'], store)

    def update_object(self, kind, object_id, updates=None):
        store = self._object_store(kind, object_id)
        if store:
            self._run(child_flows.create_or_update, [kind, 'update'], store)

    def delete_object(self, kind, object_id):
        store = self._object_store(kind, object_id)
        if store:
            self._run(child_flows.delete, [kind], store)

    def batch_update_members(self, pool_id, new_member_ids=(),
                             updated_member_ids=(), deleted_member_ids=()):
        with db_api.session_scope() as session:
            pool = session.get(models.Pool, pool_id)
            if pool is None:
                LOG.error('pool %s not found', pool_id)
                return
            lb_id = pool.load_balancer_id
        kept = list(new_member_ids) + list(updated_member_ids)
        self._run(child_flows.batch_update_members, [], {
            'load_balancer_id': lb_id,
            'touched_member_ids': kept + list(deleted_member_ids),
            'kept_member_ids': kept,
            'deleted_member_ids': list(deleted_member_ids)})

    # -- amphorae and distributors -----------------------------------------

    def update_amphora_agent_config(self, amphora_id):
        try:
            amp_tasks.UpdateAgentConfig().execute(amphora_id)
        except Exception:
            LOG.exception('Agent config update of amphora %s failed',
                          amphora_id)

    def create_distributor(self, distributor_id):
        self._run(dist_flows.create, [], {'distributor_id': distributor_id})

    def delete_distributor(self, distributor_id):
        self._run(dist_flows.delete, [], {'distributor_id': distributor_id})

    def failover_distributor(self, distributor_id):
        # A distributor deleted while its failover was queued (the health
        # manager saw it stop) has nothing left to rebuild.
        with db_api.session_scope() as session:
            dist = session.get(models.Distributor, distributor_id)
            gone = dist is None or dist.status in (c.DELETED,
                                                   c.PENDING_DELETE)
        if gone:
            LOG.info('Distributor %s is deleted: no failover', distributor_id)
            return
        self._failover(dist_flows.failover, [],
                       {'distributor_id': distributor_id})

    def distributor_takeover(self, distributor_id, reporter_id):
        """Its VRRP peer took over from this distributor (health manager
        event): if its agent does not answer either, it is failed and
        rebuilt now.  If it answers (only its keepalived restarted, say)
        it is left alone and its claim released."""
        with db_api.session_scope() as session:
            dist = session.get(models.Distributor, distributor_id)
            if dist is None:
                return
            session.expunge(dist)
        if drivers.get('distributor').alive(dist):
            LOG.info('Distributor %s lost the VIPs to %s but its agent '
                     'answers: not replaced', distributor_id, reporter_id)
            with db_api.session_scope() as session:
                takeover_q.release_claim(session, distributor_id)
            return
        with db_api.session_scope() as session:
            marked = takeover_q.mark_failed(
                session, distributor_id, 'VRRP peer %s took over and the '
                'agent does not answer' % reporter_id)
        if not marked:
            return      # not ACTIVE any more: someone else handles it
        LOG.error('Distributor %s is dead (its peer %s took over): '
                  'replacing it', distributor_id, reporter_id)
        self.failover_distributor(distributor_id)

    def unfinished(self):
        return self.runner.unfinished()

    def _resume_guard(self, flow_detail):
        lb_id = engine.stored(flow_detail, 'load_balancer_id')
        if lb_id is None:
            return claims_mod.always()
        return self.claims.hold(lb_id)

    def resume(self, leftovers=None):
        self.runner.resume(leftovers, guard=self._resume_guard)

    def queued(self, load_balancer_id):
        """A job for this load balancer waits on the jobboard."""
        return self.poster is not None and self.poster.queued(
            load_balancer_id)

    def adopt(self, load_balancer_id):
        """Finish a dead worker's flows on this load balancer (the caller
        holds its claim)."""
        return self.runner.adopt(load_balancer_id)

    def interrupt(self):
        """Stop waiting for posted jobs (they stay on the board)."""
        if self.poster is not None:
            self.poster.interrupt()

    def close(self):
        if self.poster is not None:
            self.poster.close()
        self.claims.close()
        self.runner.close()
