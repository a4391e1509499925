"""Run one controller service in the foreground until SIGTERM or SIGINT
(shared by octavia-aa-worker, -health-manager and -housekeeping)."""
import logging as std_logging
import os
import signal
import sys
import threading

from oslo_log import log as logging

from octavia_aa.common import config
from octavia_aa.common import reload

LOG = logging.getLogger(__name__)
# Beyond [DEFAULT] stop_timeout: for the service's own clean-up, and
# for the interpreter's exit once it is stopped.
EXIT_MARGIN = 1.0


def exit_after(seconds, stopped):
    """A daemon thread ending the process if the stop takes longer than
    `seconds`, or if the exit hangs once `stopped` is set (thread pools
    join their threads at exit, and a task blocked in a driver call never
    returns): a stopping service must not live on.  What it cuts short is
    persisted and resumed; see [DEFAULT] stop_timeout."""
    def _watchdog():
        if not stopped.wait(seconds):
            LOG.warning('Stopped after %.1fs with work under way (it is '
                        'resumed from its persisted state)', seconds)
        else:
            threading.Event().wait(EXIT_MARGIN)
        std_logging.shutdown()
        os._exit(0)
    threading.Thread(target=_watchdog, name='exit-watchdog',
                     daemon=True).start()


def run(service_factory, argv=None, metrics_port=None):
    """metrics_port: the [metrics] option naming the port on which this
    service serves its own metrics (see common/metrics_opts.py)."""
    config.init(sys.argv[1:] if argv is None else argv)
    if metrics_port is not None:
        from octavia_aa.common import metrics
        metrics.serve(metrics_port)
    stop = threading.Event()
    received = []

    def _stop(signum, _frame):
        received.append(signum)
        stop.set()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    reload.on_sighup()
    service = service_factory()
    service.start()
    try:
        # Waiting on an Event in the main thread still lets signal
        # handlers run (lock waits are interruptible on POSIX).
        while not stop.wait(1):
            pass
    finally:
        LOG.info('Stopping %s (signal %s): work under way gets up to '
                 '%.1fs', type(service).__name__,
                 received[0] if received else '-', config.CONF.stop_timeout)
        stopped = threading.Event()
        exit_after(config.CONF.stop_timeout + EXIT_MARGIN, stopped)
        service.stop()
    # The last line a stop logs.
    LOG.info('Stopped (signal %s)', received[0] if received else '-')
    stopped.set()
    return 0
