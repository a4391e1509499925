"""octavia-aa-all: API, worker, health manager and housekeeping in one
process, on the embedded defaults (no config file needed).

Gunicorn's master forks one worker process that serves the API and
hosts the other services.  The worker dies with the master (see
ApiServer), and a SIGTERM stops its services at once, while the API
finishes the requests under way: a stopping service builds nothing
more."""
import signal
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
        self._stop_on_sigterm()
        LOG.info('octavia-aa-all ready on %s:%d',
                 config.CONF.api_settings.bind_host,
                 config.CONF.api_settings.bind_port)

    def _stop_on_sigterm(self):
        """Chain a stop of the services in front of gunicorn's SIGTERM
        handler (which only stops accepting requests)."""
        previous = signal.getsignal(signal.SIGTERM)

        def _on_term(signum, frame):
            threading.Thread(target=self.stop, name='services-stop',
                             daemon=True).start()
            if callable(previous):
                previous(signum, frame)
        signal.signal(signal.SIGTERM, _on_term)

    def stop(self):
        """Stop every service (idempotent: a second call waits for the
        first)."""
        with self._lock:
            while self._services:
                svc = self._services.pop()
                LOG.info('Stopping %s', type(svc).__name__)
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
                     on_worker_exit=services.stop,
                     name='octavia-aa-all').run()
