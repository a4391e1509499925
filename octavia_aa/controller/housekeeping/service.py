"""HousekeepingService: every [house_keeping] cleanup_interval, purge the
rows left in DELETED and free the addresses whose owner is gone
(addresses.py).  A thread in the current process."""
import logging
import threading

from octavia_aa.common import config
from octavia_aa.controller.housekeeping import addresses
from octavia_aa.db import api as db_api
from octavia_aa.db.queries import purge

CONF = config.CONF
LOG = logging.getLogger(__name__)


def purge_deleted():
    """Remove every row in DELETED; returns how many went."""
    with db_api.session_scope() as session:
        return purge.purge_deleted(session)


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
