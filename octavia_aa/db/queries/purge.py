"""Rows left in DELETED (housekeeping): their purge, children before
parents so that no foreign key is left dangling, and which rows are not
DELETED (the orphaned-address sweep)."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models
from octavia_aa.db.queries import pool as pool_q

_OBJECTS = (models.L7Rule, models.L7Policy, models.Member,
            models.HealthMonitor, models.Pool, models.Listener,
            models.LoadBalancer)


def purge_deleted(session):
    """Remove every row in DELETED; returns how many went."""
    purged = 0
    for model in _OBJECTS:
        for obj in list(session.scalars(sa.select(model).where(
                model.provisioning_status == c.DELETED))):
            if model is models.Pool:
                pool_q.detach(session, [obj.id])
            session.delete(obj)
            purged += 1
        session.flush()
    amps = list(session.scalars(sa.select(models.Amphora).where(
        models.Amphora.status == c.DELETED)))
    for amp in amps:
        for dependent in (models.AmphoraHealth,
                          models.AmphoraRegistration,
                          models.ListenerStatistics):
            session.execute(sa.delete(dependent).where(
                dependent.amphora_id == amp.id))
        session.delete(amp)
        purged += 1
    dists = list(session.scalars(sa.select(models.Distributor).where(
        models.Distributor.status == c.DELETED)))
    for dist in dists:
        session.execute(sa.delete(models.DistributorHealth).where(
            models.DistributorHealth.distributor_id == dist.id))
        session.delete(dist)
        purged += 1
    return purged


def not_deleted(session, model, column, ids):
    """The values among `ids` of `column` that have a row not DELETED."""
    if not ids:
        return set()
    status = (model.provisioning_status if model is models.LoadBalancer
              else model.status)
    return set(session.scalars(sa.select(column).where(
        column.in_(list(ids)), status != c.DELETED)))
