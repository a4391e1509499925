"""HousekeepingService: every [house_keeping] cleanup_interval, purge the
rows left in DELETED and free the addresses whose owner is gone
(addresses.py).  A thread in the current process."""
import logging
import threading

import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.controller.housekeeping import addresses
from octavia_aa.db import api as db_api
from octavia_aa.db import models

CONF = config.CONF
LOG = logging.getLogger(__name__)

# Children before parents, so no foreign key is left dangling.
_OBJECTS = (models.L7Rule, models.L7Policy, models.Member,
            models.HealthMonitor, models.Pool, models.Listener,
            models.LoadBalancer)


def purge_deleted():
    """Remove every row in DELETED; returns how many went."""
    purged = 0
    with db_api.session_scope() as session:
        for model in _OBJECTS:
            for obj in list(session.scalars(sa.select(model).where(
                    model.provisioning_status == c.DELETED))):
                if model is models.Pool:
                    _detach_pool(session, obj.id)
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


def _detach_pool(session, pool_id):
    session.execute(sa.update(models.Listener)
                    .where(models.Listener.default_pool_id == pool_id)
                    .values(default_pool_id=None))
    session.execute(sa.update(models.L7Policy)
                    .where(models.L7Policy.redirect_pool_id == pool_id)
                    .values(redirect_pool_id=None))


class HousekeepingService:

    def __init__(self):
        self._stop = threading.Event()
        self._thread = None

    def start(self):
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop,
                                        name='housekeeping', daemon=True)
        self._thread.start()

    def stop(self):
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
            self._thread = None

    def _loop(self):
        while not self._stop.wait(CONF.house_keeping.cleanup_interval):
            try:
                purged = purge_deleted()
                if purged:
                    LOG.info('Purged %d deleted rows', purged)
            except Exception:
                LOG.exception('Purge of deleted rows failed')
            try:
                freed = addresses.sweep()
                if freed:
                    LOG.info('Freed %d addresses whose owner is gone', freed)
            except Exception:
                LOG.exception('Sweep of orphaned addresses failed')
