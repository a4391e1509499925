"""HealthManagerService: receives heartbeats on [health_manager]
bind_ip/bind_port and, every health_check_interval, asks the worker to
fail over amphorae whose heartbeats stopped.  Threads in the current
process (octavia-aa-health-manager, or the all-in-one)."""
import logging
import threading

from octavia_aa.common import config
from octavia_aa.common import heartbeat
from octavia_aa.common import rpc
from octavia_aa.controller.healthmanager import health_db

CONF = config.CONF
LOG = logging.getLogger(__name__)
# How long one receive() may block, so stop() is noticed promptly.
POLL = 0.5


class HealthManagerService:

    def __init__(self):
        self.receiver = None
        self._stop = threading.Event()
        self._threads = []

    @property
    def address(self):
        """(ip, port) the heartbeat socket is bound to."""
        return self.receiver.address

    def start(self):
        hm = CONF.health_manager
        self._stop.clear()
        self.receiver = heartbeat.HeartbeatReceiver(
            hm.heartbeat_key, hm.bind_ip, hm.bind_port)
        for target, name in ((self._receive_loop, 'hm-receive'),
                             (self._check_loop, 'hm-stale-check')):
            thread = threading.Thread(target=target, name=name, daemon=True)
            thread.start()
            self._threads.append(thread)
        LOG.info('Health manager listening on %s:%d', *self.address[:2])

    def stop(self):
        self._stop.set()
        for thread in self._threads:
            thread.join()
        self._threads = []
        if self.receiver is not None:
            self.receiver.close()
            self.receiver = None

    def _receive_loop(self):
        while not self._stop.is_set():
            try:
                got = self.receiver.receive(timeout=POLL)
                if got is not None:
                    health_db.record_heartbeat(got[0])
            except Exception:
                LOG.exception('Heartbeat handling failed')

    def check_stale(self):
        """One stale check; returns the amphorae sent to failover."""
        claimed = health_db.claim_stale_amphorae()
        for amphora_id in claimed:
            LOG.warning('Amphora %s stopped sending heartbeats: failover',
                        amphora_id)
            rpc.cast('failover_amphora', amphora_id=amphora_id)
        return claimed

    def _check_loop(self):
        # A grace period of one heartbeat_timeout first: after a restart
        # of the health manager every row looks stale until the amphorae
        # have had the time to be heard again.
        hm = CONF.health_manager
        if self._stop.wait(max(hm.heartbeat_timeout,
                               hm.health_check_interval)):
            return
        while True:
            try:
                self.check_stale()
            except Exception:
                LOG.exception('Stale amphora check failed')
            if self._stop.wait(hm.health_check_interval):
                return
