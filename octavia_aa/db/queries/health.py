"""Health rows (amphora_health, distributor_health): heartbeats move them
forward, stale ones are claimed by one health manager.

Every write is one conditional UPDATE, plain SQL, the same on SQLite,
MariaDB and PostgreSQL: of several health managers receiving the same
heartbeat, or seeing the same silence, exactly one wins."""
import logging

from oslo_db import exception as db_exc
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models

LOG = logging.getLogger(__name__)


def advance(session, model, key, sender, now, stamp):
    """The sender's health row, refreshed, or None if the heartbeat is
    not newer than the last one accepted (a replay).  stamp: (boot, seq)
    or None for an unstamped heartbeat."""
    column = getattr(model, key)
    values = {'last_update': now}
    where = [column == sender]
    if stamp is not None:
        boot, seq = stamp
        values.update(last_boot=boot, last_seq=seq)
        where.append(sa.or_(
            model.last_boot.is_(None), model.last_boot < boot,
            sa.and_(model.last_boot == boot, model.last_seq < seq)))
    if session.execute(
            sa.update(model).where(*where).values(**values)
            .execution_options(synchronize_session=False)).rowcount:
        return session.get(model, sender, populate_existing=True)
    if session.get(model, sender) is not None:
        LOG.info('Heartbeat %s of %s is not newer than the last one: '
                 'replay dropped', stamp, sender)
        return None
    try:
        with session.begin_nested():
            health = model(**{key: sender, 'busy': False}, **values)
            session.add(health)
        return health
    except (db_exc.DBDuplicateEntry, sa.exc.IntegrityError):
        # Another health manager recorded this heartbeat first.
        return None


def claim_stale(session, model, key, row_id, expired):
    """Atomic claim of a health row not updated since `expired`: True
    for the one caller whose UPDATE matched."""
    return session.execute(
        sa.update(model)
        .where(getattr(model, key) == row_id,
               model.busy.is_(False), model.last_update < expired)
        .values(busy=True)
        .execution_options(synchronize_session=False)).rowcount == 1


def stale_amphorae(session, expired):
    """[(amphora id, load balancer id)] of the ALLOCATED amphorae silent
    since `expired` and not claimed yet."""
    return session.execute(
        sa.select(models.Amphora.id, models.Amphora.load_balancer_id)
        .join(models.AmphoraHealth,
              models.AmphoraHealth.amphora_id == models.Amphora.id)
        .where(models.AmphoraHealth.last_update < expired,
               models.AmphoraHealth.busy.is_(False),
               models.Amphora.status == c.ALLOCATED)).all()


def stale_distributor_ids(session, expired):
    """Ids of the distributors silent since `expired`, not claimed yet."""
    return list(session.scalars(
        sa.select(models.DistributorHealth.distributor_id)
        .where(models.DistributorHealth.last_update < expired,
               models.DistributorHealth.busy.is_(False))))
