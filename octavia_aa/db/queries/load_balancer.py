"""Load-balancer rows and what the API and the cluster manager read
across them."""
import sqlalchemy as sa
from sqlalchemy import orm

from octavia_aa.common import constants as c
from octavia_aa.db import models


def live_ids(session):
    """Ids of the load balancers not DELETED, oldest first."""
    return list(session.scalars(
        sa.select(models.LoadBalancer.id)
        .where(models.LoadBalancer.provisioning_status != c.DELETED)
        .order_by(models.LoadBalancer.created_at)))


def with_vip(load=()):
    """The API's statement for load balancers: each with its VIP, loaded
    by the join, and the eager loads `load`."""
    return (sa.select(models.LoadBalancer).join(models.LoadBalancer.vip)
            .options(orm.contains_eager(models.LoadBalancer.vip), *load))


_IDS = sa.bindparam('ids', expanding=True)
_CHILD_IDS = sa.union_all(
    sa.select(sa.literal_column("'listeners'"),
              models.Listener.load_balancer_id, models.Listener.id,
              models.Listener.created_at)
    .where(models.Listener.load_balancer_id.in_(_IDS)),
    sa.select(sa.literal_column("'pools'"), models.Pool.load_balancer_id,
              models.Pool.id, models.Pool.created_at)
    .where(models.Pool.load_balancer_id.in_(_IDS)))


def child_ids(session, lb_ids):
    """[(kind, load balancer id, child id)] of the listeners and pools of
    the load balancers, in one query, oldest child first (kind:
    'listeners' or 'pools')."""
    rows = session.execute(_CHILD_IDS, {'ids': list(lb_ids)})
    return [(kind, lb_id, child_id) for kind, lb_id, child_id, _ in
            sorted(rows, key=lambda r: (r[3], r[2]))]


def mark_children_deleting(session, lb_id):
    """A cascade delete: the listeners and pools to PENDING_DELETE."""
    for model in (models.Listener, models.Pool):
        session.execute(
            sa.update(model).where(model.load_balancer_id == lb_id)
            .values(provisioning_status=c.PENDING_DELETE)
            .execution_options(synchronize_session=False))


# The API's read path for load balancers: plain rows (Core, no ORM
# identity map, no instance state) of the load balancer and its VIP, in
# one select; building ORM objects was half a full list's time.
_LB = models.LoadBalancer.__table__
_VIP = models.Vip.__table__
_LB_KEYS = tuple(col.key for col in _LB.c)
_VIP_KEYS = tuple(col.key for col in _VIP.c if col.key != 'load_balancer_id')
READ_STATEMENT = sa.select(
    *_LB.c, *[_VIP.c[k].label('vip_' + k) for k in _VIP_KEYS]
).select_from(sa.join(_LB, _VIP))


class Record:
    """A row as attributes (what the API's renderers read), with `vip`
    its VIP's row; a caller may add attributes (child ids)."""

    def __init__(self, values):
        self.__dict__.update(values)


def read_rows(session, stmt):
    """Records of a READ_STATEMENT-based select, in its order."""
    n = len(_LB_KEYS)
    out = []
    for row in session.execute(stmt):
        lb = Record(zip(_LB_KEYS, row[:n]))
        lb.vip = Record(zip(_VIP_KEYS, row[n:]))
        out.append(lb)
    return out
