"""HealthManagerService: receives heartbeats on [health_manager]
bind_ip/bind_port and, every health_check_interval, looks for amphorae
and distributors whose heartbeats stopped.  It fails nothing over
itself: it wakes the cluster manager (a reconcile_load_balancer cast)
for the load balancers concerned, at once when a distributor reports an
amphora dead.  Threads in the current process (octavia-aa-health-manager,
or the all-in-one)."""
import logging
import threading
import time

from octavia_aa.common import config
from octavia_aa.common import heartbeat
from octavia_aa.common import metrics
from octavia_aa.common import rpc
from octavia_aa.controller.healthmanager import health_db

CONF = config.CONF
LOG = logging.getLogger(__name__)
# How long one receive() may block, so stop() is noticed promptly.
POLL = 0.5


def _observe_lag(kind, sent):
    """Sent (the agent's time) -> recorded, for a heartbeat that counted."""
    if kind is not None and isinstance(sent, (int, float)) and \
            not isinstance(sent, bool):
        metrics.HEARTBEAT_LAG.labels(kind).observe(
            max(0.0, time.time() - sent))


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
        # The key is mutable (SIGHUP): read for each datagram.
        self.receiver = heartbeat.HeartbeatReceiver(
            lambda: CONF.health_manager.heartbeat_key, hm.bind_ip,
            hm.bind_port)
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
                    kind, wake = health_db.record_heartbeat(got[0])
                    _observe_lag(kind, got[0].get('time'))
                    for lb_id in wake:
                        rpc.cast('reconcile_load_balancer',
                                 load_balancer_id=lb_id)
                    if kind == 'distributor':
                        self._takeover(got[0])
            except Exception:
                LOG.exception('Heartbeat handling failed')

    @staticmethod
    def _takeover(message):
        """A distributor took over the VIPs from a peer not heard from
        since: the worker checks the peer and replaces it at once,
        instead of after heartbeat_timeout."""
        peer_id = health_db.takeover(message)
        if peer_id:
            LOG.warning('Distributor %s took over from its VRRP peer %s, '
                        'not heard from since', message['id'], peer_id)
            rpc.cast('distributor_takeover', distributor_id=peer_id,
                     reporter_id=message['id'])

    def check_stale(self):
        """One stale check; returns the amphorae claimed as stale."""
        claimed = health_db.claim_stale_amphorae()
        woken = set()
        for amphora_id, lb_id in claimed:
            LOG.warning('Amphora %s of load balancer %s stopped sending '
                        'heartbeats%s', amphora_id, lb_id,
                        health_db.compute_state(amphora_id))
            if lb_id not in woken:
                woken.add(lb_id)
                rpc.cast('reconcile_load_balancer', load_balancer_id=lb_id)
        for distributor_id in health_db.claim_stale_distributors():
            LOG.error('Distributor %s stopped sending heartbeats: '
                      'replacing it', distributor_id)
            rpc.cast('failover_distributor', distributor_id=distributor_id)
        return [amphora_id for amphora_id, _ in claimed]

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
