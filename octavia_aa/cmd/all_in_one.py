"""octavia-aa-all: API, worker, health manager and housekeeping in one
process, on the embedded defaults (no config file needed)."""
import sys
import threading

from oslo_log import log as logging

from octavia_aa.api import server
from octavia_aa.common import config
from octavia_aa.db import migration

LOG = logging.getLogger(__name__)


class Services:
    """The controller services hosted next to the API."""

    def __init__(self):
        self._services = []
        self._lock = threading.Lock()

    def start(self):
        from octavia_aa.controller.healthmanager import service as hm
        from octavia_aa.controller.housekeeping import service as hk
        from octavia_aa.controller.worker import bootstrap
        from octavia_aa.controller.worker import service as worker
        with self._lock:
            for cls in (worker.WorkerService, hm.HealthManagerService,
                        hk.HousekeepingService):
                svc = cls()
                svc.start()
                self._services.append(svc)
            # After the worker listens, so the casts it makes are served.
            bootstrap.run()
        LOG.info('octavia-aa-all ready on %s:%d',
                 config.CONF.api_settings.bind_host,
                 config.CONF.api_settings.bind_port)

    def stop(self):
        with self._lock:
            while self._services:
                svc = self._services.pop()
                try:
                    svc.stop()
                except Exception:
                    LOG.exception('Stopping %s failed', svc)


def main():
    config.init(sys.argv[1:])
    # The embedded database is created or brought up to date on start, so
    # a fresh machine needs no separate db-manage step.
    migration.upgrade()
    services = Services()
    server.ApiServer(1, on_worker_start=services.start,
                     on_worker_exit=services.stop).run()
