"""Heartbeats: listener, pool and member status and counters from each
HAProxy's stats socket, in the shared signed envelope.

Message (upstream Octavia's version 3)::

    {"id": amphora_id, "ver": 3,
     "listeners": {listener_id: {"status": "OPEN|FULL",
                   "stats": {"rx", "tx", "conns", "totconns", "ereq"}}},
     "pools": {pool_id: {"status": "UP|DOWN",
                         "members": {member_id: "UP|DOWN|MAINT|..."}}}}

rx/tx/totconns/ereq are deltas since the previous heartbeat (a reload
restarts HAProxy's counters at zero, so the agent computes them); conns
is the current level.  The sender stamps each message with boot, seq
and time (octavia_aa.common.heartbeat) against replays.
"""
import json
import logging
import os
import threading

from octavia_aa.common import heartbeat
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)
_COUNTERS = (('rx', 'bin'), ('tx', 'bout'), ('totconns', 'stot'),
             ('ereq', 'ereq'))


def _int(value):
    try:
        return int(value)
    except (TypeError, ValueError):
        return 0


def collect(registry, extra=None):
    """Absolute counters and statuses of every running load balancer;
    extra(): more (listeners, pools) (the UDP listeners)."""
    listeners, pools = extra() if extra else ({}, {})
    for lb in registry.all():
        for row in lb.stats():
            px, sv = row.get('pxname'), row.get('svname')
            if sv == 'FRONTEND':
                listeners[px] = {
                    'status': wire.LISTENER_FULL
                    if row.get('status') == wire.LISTENER_FULL
                    else wire.LISTENER_OPEN,
                    'stats': dict({k: _int(row.get(col))
                                   for k, col in _COUNTERS},
                                  conns=_int(row.get('scur')))}
            elif sv == 'BACKEND':
                pools.setdefault(px, {'members': {}})['status'] = \
                    wire.POOL_UP if row.get('status') == wire.POOL_UP \
                    else wire.POOL_DOWN
            elif px and sv:
                pools.setdefault(px, {'members': {}})['members'][sv] = \
                    row.get('status') or wire.MEMBER_NO_CHECK
    for pool in pools.values():
        pool.setdefault('status', wire.POOL_DOWN)
    return listeners, pools


class Deltas:
    """Turns absolute counters into deltas; the last totals are kept in a
    file so an agent restart does not report everything again."""

    def __init__(self, path):
        self.path = path
        try:
            with open(path) as f:
                self.last = json.load(f)
        except (OSError, ValueError):
            self.last = {}

    def apply(self, listeners):
        current = {}
        for lid, report in listeners.items():
            stats = report['stats']
            prev = self.last.get(lid, {})
            current[lid] = {k: stats[k] for k, _ in _COUNTERS}
            for key, _ in _COUNTERS:
                before = prev.get(key, 0)
                # Smaller than before: HAProxy restarted from zero.
                stats[key] = stats[key] - before if stats[key] >= before \
                    else stats[key]
        self.last = current
        tmp = self.path + '.tmp'
        with open(tmp, 'w') as f:
            json.dump(current, f)
        os.replace(tmp, self.path)


class HeartbeatThread(threading.Thread):
    """Sends one heartbeat every heartbeat_interval to every controller;
    reads the (mutable) options each round so PUT /config applies at
    once."""

    def __init__(self, amphora_id, registry, health_opts, state_dir,
                 extra=None):
        super().__init__(name='heartbeat', daemon=True)
        self.amphora_id = amphora_id
        self.registry = registry
        self.extra = extra
        self.opts = health_opts
        self.deltas = Deltas(os.path.join(state_dir, 'stats_counters.json'))
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._sender = None
        self._sender_key = None

    def trigger(self):
        self._wake.set()

    def stop(self):
        self._stop.set()
        self._wake.set()

    def message(self):
        listeners, pools = collect(self.registry, self.extra)
        self.deltas.apply(listeners)
        return {'id': self.amphora_id, 'ver': wire.AMPHORA_MSG_VERSION,
                'listeners': listeners, 'pools': pools}

    def _get_sender(self):
        key = (self.opts.heartbeat_key,
               tuple(self.opts.controller_ip_port_list))
        if key != self._sender_key:
            if self._sender:
                self._sender.close()
            self._sender = heartbeat.HeartbeatSender(key[0], list(key[1]))
            self._sender_key = key
        return self._sender

    def send_once(self):
        if not (self.opts.heartbeat_key and
                self.opts.controller_ip_port_list):
            return None
        message = self.message()
        self._get_sender().send(message)
        return message

    def run(self):
        while not self._stop.is_set():
            try:
                self.send_once()
            except Exception:        # a bad round must not end heartbeats
                LOG.exception('heartbeat failed')
            self._wake.wait(self.opts.heartbeat_interval)
            self._wake.clear()
        if self._sender:
            self._sender.close()
