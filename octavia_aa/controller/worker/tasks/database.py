"""Last steps of flows: objects to ACTIVE, rows removed for real, and the
operating-status roll-up (transitions in db/lifecycle.py, statements in
db/queries/)."""
import datetime

from octavia_aa.common import exceptions
from octavia_aa.controller.worker import objects
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import claims
from octavia_aa.db import l7_order
from octavia_aa.db import lifecycle
from octavia_aa.db import models
from octavia_aa.db.queries import distributor as distributor_q
from octavia_aa.db.queries import listener as listener_q
from octavia_aa.db.queries import member as member_q
from octavia_aa.db.queries import pool as pool_q


def _finish(session, load_balancer_id):
    lifecycle.finish(session, session.get(models.LoadBalancer,
                                          load_balancer_id))


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
            lifecycle.activate(session.get(objects.MODELS[self.kind],
                                           object_id))
            _finish(session, load_balancer_id)


class MarkMembersActive(base.Task):

    def execute(self, member_ids, load_balancer_id):
        with db_api.session_scope() as session:
            for member_id in member_ids:
                member = session.get(models.Member, member_id)
                if member is not None:
                    lifecycle.activate(member)
            _finish(session, load_balancer_id)


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
                pool_q.detach(session, [object_id])
            elif self.kind == 'listener':
                listener_q.drop_statistics(session, [object_id])
            session.delete(obj)
            if self.kind == 'l7policy':
                # Close the gap it leaves, as upstream's reorder().
                session.flush()
                l7_order.renumber(session, obj.listener_id)


class DeleteMembers(base.Task):

    def execute(self, member_ids):
        with db_api.session_scope() as session:
            member_q.delete_many(session, member_ids)


class DeleteLoadBalancerRows(base.Task):
    """The load balancer and all it holds (the ORM cascades do the
    children: vip, listeners, L7 policies and rules, pools, members,
    health monitor, cluster)."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is None:
                return
            pool_q.detach(session, [p.id for p in lb.pools])
            listener_q.drop_statistics(session,
                                       [lst.id for lst in lb.listeners])
            session.delete(lb)
            # With the row gone, so is any claim on it (the holder's
            # release after this flow then finds nothing to delete).
            claims.drop(session, load_balancer_id)


class MarkClusterResized(base.Task):

    def execute(self, cluster_id):
        with db_api.session_scope() as session:
            cluster = session.get(models.Cluster, cluster_id)
            cluster.last_resized_at = datetime.datetime.now(
                datetime.timezone.utc).replace(tzinfo=None)


class CheckDistributorUnused(base.Task):

    def execute(self, distributor_id):
        with db_api.session_scope() as session:
            in_use = distributor_q.clusters_served(session, distributor_id)
        if in_use:
            raise exceptions.Conflict('distributor %s still serves %d load '
                                      'balancers' % (distributor_id, in_use))


class DeleteDistributorRow(base.Task):

    def execute(self, distributor_id):
        with db_api.session_scope() as session:
            distributor_q.delete(session, distributor_id)
