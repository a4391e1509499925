"""What the /metrics gauges read, each in one query (a scrape every few
seconds must stay cheap however many load balancers there are)."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models


def clusters(session):
    """[(cluster, active, standby)] of every cluster not DELETED: active
    and standby count its ALLOCATED amphorae by role."""
    amp = models.Amphora
    counts = {}
    for lb_id, role, n in session.execute(
            sa.select(amp.load_balancer_id, amp.role, sa.func.count())
            .where(amp.status == c.ALLOCATED,
                   amp.load_balancer_id.is_not(None))
            .group_by(amp.load_balancer_id, amp.role)):
        counts[(lb_id, role)] = n
    rows = session.scalars(sa.select(models.Cluster).where(
        models.Cluster.provisioning_status != c.DELETED))
    return [(cl, counts.get((cl.load_balancer_id, c.ROLE_IN_CLUSTER), 0),
             counts.get((cl.load_balancer_id, c.ROLE_IN_CLUSTER_STANDBY), 0))
            for cl in rows]


def by_status(session, model):
    """{status: count} of amphorae or distributors, DELETED ones left
    out."""
    return dict(session.execute(
        sa.select(model.status, sa.func.count())
        .where(model.status != c.DELETED).group_by(model.status)).all())


def registrations(session):
    """[(distributor id, load balancer id, amphora id, position, role,
    status)] of every registered amphora."""
    reg, amp = models.AmphoraRegistration, models.Amphora
    return session.execute(
        sa.select(reg.distributor_id, reg.load_balancer_id, reg.amphora_id,
                  reg.position, amp.role, amp.status)
        .join(amp, amp.id == reg.amphora_id)).all()


def heartbeat_ages(session, now):
    """[(kind, id, load balancer id or None, seconds since its last
    heartbeat)] of ALLOCATED amphorae and ACTIVE distributors."""
    amp, ah = models.Amphora, models.AmphoraHealth
    dist, dh = models.Distributor, models.DistributorHealth
    rows = [('amphora', i, lb, last) for i, lb, last in session.execute(
        sa.select(amp.id, amp.load_balancer_id, ah.last_update)
        .join(ah, ah.amphora_id == amp.id)
        .where(amp.status == c.ALLOCATED))]
    rows += [('distributor', i, None, last) for i, last in session.execute(
        sa.select(dist.id, dh.last_update)
        .join(dh, dh.distributor_id == dist.id)
        .where(dist.status == c.ACTIVE))]
    return [(kind, i, lb, (now - last).total_seconds())
            for kind, i, lb, last in rows]


def failed_at(session, model, row_id):
    """When this amphora or distributor (model) was marked ERROR (its
    row's last update), or None if it is not in ERROR."""
    return session.scalar(
        sa.select(model.updated_at)
        .where(model.id == row_id, model.status == c.ERROR))
