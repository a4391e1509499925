"""The cluster manager's periodic pass, a thread of the worker process
(octavia-aa-worker, octavia-aa-all).  Events do not go through here:
the reconcile_load_balancer cast runs a pass on one load balancer in the
RPC thread at once."""
import logging
import threading

from octavia_aa.common import config
from octavia_aa.controller.cluster_manager import manager

CONF = config.CONF
LOG = logging.getLogger(__name__)


class ClusterManagerService:

    def __init__(self, worker):
        self.manager = manager.ClusterManager(worker)
        self._after = None
        self._stop = threading.Event()
        self._thread = None

    def start(self, after=None):
        """after: a thread to wait for before the first pass (the
        resumption of this worker's own flows, which come before any
        takeover)."""
        self._after = after
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop,
                                        name='cluster-manager', daemon=True)
        self._thread.start()

    def _loop(self):
        if self._after is not None:
            self._after.join()
        interval = CONF.cluster_manager.reconcile_interval
        while not self._stop.wait(interval):
            try:
                outcomes = self.manager.run_pass()
                LOG.debug('Reconcile pass: %s', outcomes)
            except Exception:
                LOG.exception('Reconcile pass failed')

    def stop(self, timeout=None):
        self._stop.set()
        if self._thread is not None:
            # A pass cut short by the process ending is redone by the
            # next pass of some worker.
            self._thread.join(timeout)
            self._thread = None
