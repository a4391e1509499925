"""Last steps of flows: objects to ACTIVE, rows removed for real, and the
operating-status roll-up."""
import datetime

import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.controller.worker import objects
from octavia_aa.controller.worker import status
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import l7_order
from octavia_aa.db import models


def _activate(obj):
    obj.provisioning_status = c.ACTIVE
    obj.fault = None


def _finish(session, load_balancer_id):
    lb = session.get(models.LoadBalancer, load_balancer_id)
    status.unlock(lb)
    if lb.cluster is not None and (
            lb.cluster.provisioning_status in c.PENDING_STATUSES):
        _activate(lb.cluster)
    session.flush()
    status.roll_up(session, lb)


class MarkLoadBalancerActive(base.Task):

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            _finish(session, load_balancer_id)


class MarkObjectActive(base.Task):

    def __init__(self, kind, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def execute(self, object_id, load_balancer_id):
        with db_api.session_scope() as session:
            _activate(session.get(objects.MODELS[self.kind], object_id))
            _finish(session, load_balancer_id)


class MarkMembersActive(base.Task):

    def execute(self, member_ids, load_balancer_id):
        with db_api.session_scope() as session:
            for member_id in member_ids:
                member = session.get(models.Member, member_id)
                if member is not None:
                    _activate(member)
            _finish(session, load_balancer_id)


def _detach_pools(session, pool_ids):
    """Nothing may point at pools about to go (listener defaults and L7
    redirects hold plain foreign keys, not cascades)."""
    if not pool_ids:
        return
    session.execute(sa.update(models.Listener)
                    .where(models.Listener.default_pool_id.in_(pool_ids))
                    .values(default_pool_id=None))
    session.execute(sa.update(models.L7Policy)
                    .where(models.L7Policy.redirect_pool_id.in_(pool_ids))
                    .values(redirect_pool_id=None))
    session.flush()


def _drop_listener_stats(session, listener_ids):
    if listener_ids:
        session.execute(sa.delete(models.ListenerStatistics).where(
            models.ListenerStatistics.listener_id.in_(listener_ids)))


class DeleteObject(base.Task):

    def __init__(self, kind, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def execute(self, object_id):
        with db_api.session_scope() as session:
            obj = session.get(objects.MODELS[self.kind], object_id)
            if obj is None:
                return
            if self.kind == 'pool':
                _detach_pools(session, [object_id])
            elif self.kind == 'listener':
                _drop_listener_stats(session, [object_id])
            session.delete(obj)
            if self.kind == 'l7policy':
                # Close the gap it leaves, as upstream's reorder().
                session.flush()
                l7_order.renumber(session, obj.listener_id)


class DeleteMembers(base.Task):

    def execute(self, member_ids):
        with db_api.session_scope() as session:
            session.execute(sa.delete(models.Member).where(
                models.Member.id.in_(member_ids)))


class DeleteLoadBalancerRows(base.Task):
    """The load balancer and all it holds (the ORM cascades do the
    children: vip, listeners, L7 policies and rules, pools, members,
    health monitor, cluster)."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is None:
                return
            _detach_pools(session, [p.id for p in lb.pools])
            _drop_listener_stats(session, [lst.id for lst in lb.listeners])
            session.delete(lb)
            # With the row gone, so is any claim on it (the holder's
            # release after this flow then finds nothing to delete).
            session.execute(sa.delete(models.ControllerClaim).where(
                models.ControllerClaim.load_balancer_id == load_balancer_id))


class MarkClusterResized(base.Task):

    def execute(self, cluster_id):
        with db_api.session_scope() as session:
            cluster = session.get(models.Cluster, cluster_id)
            cluster.last_resized_at = datetime.datetime.now(
                datetime.timezone.utc).replace(tzinfo=None)


class CheckDistributorUnused(base.Task):

    def execute(self, distributor_id):
        with db_api.session_scope() as session:
            in_use = session.scalar(
                sa.select(sa.func.count(models.Cluster.id)).where(
                    models.Cluster.distributor_id == distributor_id))
        if in_use:
            raise exceptions.Conflict('distributor %s still serves %d load '
                                      'balancers' % (distributor_id, in_use))


class DeleteDistributorRow(base.Task):

    def execute(self, distributor_id):
        with db_api.session_scope() as session:
            session.execute(sa.delete(models.DistributorHealth).where(
                models.DistributorHealth.distributor_id == distributor_id))
            session.execute(sa.delete(models.Distributor).where(
                models.Distributor.id == distributor_id))
