"""HousekeepingService: every [house_keeping] cleanup_interval, purge the
rows left in DELETED and free the addresses whose owner is gone
(addresses.py); every cert_interval, rotate the agents' certificates
that expire soon (certs.py).  Threads in the current process."""
import logging
import threading

from octavia_aa.common import config
from octavia_aa.controller.housekeeping import addresses
from octavia_aa.controller.housekeeping import certs
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
        self._threads = []

    def start(self):
        self._stop.clear()
        for target, name in ((self._loop, 'housekeeping'),
                             (self._cert_loop, 'cert-rotation')):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._threads = []

    def _cert_loop(self):
        # A first pass at start: a controller that was down for a while
        # may find certificates close to their end.
        while True:
            try:
                certs.rotate_expiring()
            except Exception:
                LOG.exception('Rotation of agent certificates failed')
            if self._stop.wait(CONF.house_keeping.cert_interval):
                return

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
