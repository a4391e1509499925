"""Run one controller service in the foreground until SIGTERM or SIGINT
(shared by octavia-aa-worker, -health-manager and -housekeeping)."""
import signal
import sys
import threading

from oslo_log import log as logging

from octavia_aa.common import config

LOG = logging.getLogger(__name__)


def run(service_factory, argv=None):
    config.init(sys.argv[1:] if argv is None else argv)
    stop = threading.Event()

    def _stop(signum, _frame):
        LOG.info('Signal %d received, stopping', signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    service = service_factory()
    service.start()
    try:
        # Waiting on an Event in the main thread still lets signal
        # handlers run (lock waits are interruptible on POSIX).
        while not stop.wait(1):
            pass
    finally:
        service.stop()
    LOG.info('Stopped')
    return 0
