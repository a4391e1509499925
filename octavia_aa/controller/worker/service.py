"""WorkerService: the worker's RPC server in the current process (used by
octavia-aa-worker and by the all-in-one)."""
import logging
import threading
import time

from octavia_aa.common import config
from octavia_aa.common import rpc
from octavia_aa.controller.cluster_manager import service as cm_service
from octavia_aa.controller.worker import controller_worker
from octavia_aa.controller.worker import endpoints
from octavia_aa.controller.worker import jobboard
from octavia_aa.controller.worker import machines

CONF = config.CONF
LOG = logging.getLogger(__name__)


class WorkerService:

    def __init__(self):
        self.worker = None
        self.server = None
        self._resumer = None
        self.cluster_manager = None
        self.conductor = None

    def start(self):
        # The data plane's own set-up (for netns: CAs, management bridge,
        # agent supervision), idempotent, so a worker started on its own
        # (not by octavia-aa-all) can build machines too.
        machines.prepare()
        self.worker = controller_worker.ControllerWorker()
        # Listed before any cast is served, so only flows of a previous
        # run are resumed, never one a new cast has just started.
        leftovers = self.worker.unfinished()
        if CONF.cluster_manager.enabled:
            self.cluster_manager = cm_service.ClusterManagerService(
                self.worker)
        manager = (self.cluster_manager.manager
                   if self.cluster_manager else None)
        self.server = rpc.get_server(
            [endpoints.Endpoints(self.worker, manager)])
        if CONF.task_flow.jobboard_enabled:
            self.conductor = jobboard.ConductorService(self.worker)
            self.conductor.start()
            self.worker.poster.purge_finished()
        # start() returns once the topic queue is declared, so a cast sent
        # after it is not lost.
        self.server.start()
        # Flows a crashed run left behind finish in the background while
        # new casts are served.
        self._resumer = threading.Thread(target=self.worker.resume,
                                         args=(leftovers,),
                                         name='flow-resume', daemon=True)
        self._resumer.start()
        if self.cluster_manager is not None:
            # Periodic passes start once this worker's own leftovers are
            # resumed: those are finished here, not taken over.
            self.cluster_manager.start(after=self._resumer)
        LOG.info('Worker ready: consuming RPC casts')

    def stop(self, timeout=None):
        """Stop within about `timeout` seconds ([DEFAULT] stop_timeout):
        work still under way by then is persisted and resumed later (by
        this worker's next run, or by another conductor)."""
        deadline = time.monotonic() + (
            CONF.stop_timeout if timeout is None else timeout)

        def left():
            return max(0.0, deadline - time.monotonic())
        LOG.info('Stopping the worker: no new casts; flows under way get '
                 '%.1fs to finish, then are left to be resumed', left())
        if self.worker is not None:
            # RPC handlers waiting for their posted jobs return now.
            self.worker.interrupt()
        if self.cluster_manager is not None:
            LOG.info('Stopping the cluster manager\'s reconcile passes')
            self.cluster_manager.stop(timeout=left())
            self.cluster_manager = None
        if self.server is not None:
            LOG.info('Stopping the RPC server and waiting for its handlers')
            self.server.stop()
            _within(self.server.wait, left(), 'RPC handlers')
            self.server = None
        if self._resumer is not None:
            self._resumer.join(left())
            self._resumer = None
        if self.conductor is not None:
            LOG.info('Stopping the jobboard conductor')
            self.conductor.stop(timeout=left())
            self.conductor = None
        if self.worker is not None:
            self.worker.close()
            self.worker = None


def _within(func, timeout, what):
    """func() in a thread, given up on after timeout seconds."""
    thread = threading.Thread(target=func, name='stop-wait', daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        LOG.warning('%s still running at stop: left to be resumed', what)
