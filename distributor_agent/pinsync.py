"""Pinned flows shared with the VRRP peer.

Only the VRRP MASTER sees traffic, so only its flow maps (``flows_X``)
hold pins.  A flow held by its pin alone (its slot moved to a new
amphora by a scale-up, or away from a draining one) would be hashed to
the new owner by the peer after a takeover, and reset there.

Which pins matter: both peers get the same registrations, so a pin made
*after* the last slot change agrees with the peer's own hash; only the
pins that existed when the slots changed may disagree.  So the MASTER's
agent sends its pins when something changed (a registration, a drain, a
failed amphora, becoming MASTER), at most ``pin_sync_interval`` later,
and afterwards keeps the copies of those alive: every quarter of
``flow_timeout`` (at most 30 s) it resends the ones that are still there
and were refreshed by traffic meanwhile, so the peer's copy never
expires while the original lives.  Listing a flow map costs ~50-100 us
per pin in libnftables (measured: 1000 pins 44-100 ms, 10 000 pins
0.7-1 s on the loaded 2-vCPU box), far too much to list every map a few
times a second: that is why the listing follows the changes instead of
a clock, and runs in its own libnftables context so that a failover's
transaction never waits behind it.

The datagrams go where the VRRP adverts go: to the ``unicast_peers`` if
set, else to the link-local multicast group on the VRRP interface
(never routed, flooded by switches like the adverts).  Each is the
heartbeat envelope (zlib JSON + HMAC-SHA256 with ``pin_sync_key``,
default the heartbeat key), stamped: the receiver drops anything not
newer than the last it took from that sender, and anything for another
VRRP router id.  A receiver that sees a new sender or a gap in the
numbering asks for everything again (a small "resync" datagram back).

Why a push over its own UDP channel rather than a pull over the agents'
REST API: the agents only trust the controller's client certificates,
not each other's, and a pull costs a listing and a round trip per period
whether anything changed or not.
"""
import errno
import ipaddress
import logging
import select
import socket
import struct
import threading
import time

from distributor_agent import nftlib
from distributor_agent import ruleset
from octavia_aa.common import heartbeat
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)
PINS, RESYNC = 'pins', 'pins-resync'
# Elements per datagram: ~40 bytes each in JSON, a fifth compressed.
CHUNK = 800
MAX_REFRESH = 30.0


def _key_text(val):
    if isinstance(val, dict) and 'elem' in val:
        val = val['elem']['val']
    if isinstance(val, dict) and 'concat' in val:
        return ' . '.join(str(v) for v in val['concat'])
    return str(val)


def _flows_map(lb):
    # The map name depends only on the load balancer, its VIP family and
    # its affinity (see ruleset.LbRules.flows_map), not on the slots.
    return ruleset.LbRules(lb.id, lb.vip_address, lb.affinity, [], [],
                           0, 0, 0, 0).flows_map


def read_pins(nft, table, name):
    """{key text: (mac, seconds left)} of one flow map ({} if absent)."""
    try:
        objs = nft.json('list map netdev %s %s' % (table, name),
                        terse=False)
    except nftlib.NftError:
        return {}
    out = {}
    for obj in objs:
        for elem in obj.get('map', {}).get('elem', []):
            key, mac = elem
            left = key.get('elem', {}).get('expires') if isinstance(
                key, dict) else None
            out[_key_text(key)] = (mac, left)
    return out


class PinSync(threading.Thread):

    def __init__(self, agent, opts, key, timeout):
        super().__init__(name='pin-sync', daemon=True)
        self.agent = agent
        self.opts = opts               # the distributor_vrrp group
        self.key = key
        self.timeout = timeout         # flow_timeout
        self.vrid = opts.virtual_router_id
        self.me = agent.opts.distributor_id
        self.stopped = threading.Event()
        self.sock = None
        self.joined = None             # interface the group is joined on
        self._mreq_joined = None
        self._sent = {}                # lb id -> {key: (mac, expires at)}
        self._installed = {}           # lb id -> {key: mac}
        self._nft = nftlib.Nft()       # our own context and lock
        self._snapshot = True          # send every pin (a change)
        self._full = False             # resend every pin sent (resync)
        self._ask = True               # BACKUP: ask the MASTER for pins
        self._last_refresh = time.monotonic()
        self._number = 0               # our datagrams, to detect gaps
        self._seen = {}                # sender -> (boot, seq), number
        self._was_master = False
        self.counters = {'sent': 0, 'received': 0, 'installed': 0,
                         'dropped': 0, 'resyncs': 0}

    # -- socket -----------------------------------------------------------
    def _interface(self):
        if self.opts.interface:
            return self.opts.interface
        bindings = self.agent.vip_bindings()
        return bindings[0][1] if bindings else None

    def _open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        s.bind(('0.0.0.0', self.opts.pin_sync_port))
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_TTL, 1)
        s.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_LOOP, 0)
        s.setblocking(False)
        self.sock = s

    def _join(self):
        """Join the group on the VRRP interface (again if it changed)."""
        if self.opts.unicast_peers:
            return True
        name = self._interface()
        if name is None:
            return False
        if name == self.joined:
            return True
        try:
            index = socket.if_nametoindex(name)
            mreq = struct.pack('4s4si', socket.inet_aton(
                self.opts.pin_sync_group), b'\0' * 4, index)
            if self.joined:
                self.sock.setsockopt(socket.IPPROTO_IP,
                                     socket.IP_DROP_MEMBERSHIP,
                                     self._mreq_joined)
            self.sock.setsockopt(socket.IPPROTO_IP,
                                 socket.IP_ADD_MEMBERSHIP, mreq)
            self.sock.setsockopt(socket.IPPROTO_IP, socket.IP_MULTICAST_IF,
                                 mreq)
        except OSError as exc:
            if exc.errno != errno.EADDRINUSE:
                LOG.warning('pin sync: cannot join %s on %s: %s',
                            self.opts.pin_sync_group, name, exc)
                return False
        self.joined, self._mreq_joined = name, mreq
        return True

    def _destinations(self):
        port = self.opts.pin_sync_port
        if self.opts.unicast_peers:
            return [(p, port) for p in self.opts.unicast_peers]
        return [(self.opts.pin_sync_group, port)]

    def _send(self, message, to=None):
        message = dict(message, vrid=self.vrid, sender=self.me)
        data = heartbeat.encode(heartbeat.stamp(message), self.key)
        for dest in to or self._destinations():
            try:
                self.sock.sendto(data, dest)
                self.counters['sent'] += 1
            except OSError as exc:
                LOG.debug('pin sync to %s failed: %s', dest, exc)

    # -- MASTER side ------------------------------------------------------
    def _targets(self):
        with self.agent.lock:
            return [(lb.id, ruleset.table_name(lb.interface),
                     _flows_map(lb)) for lb in self.agent.lbs.values()]

    def changed(self):
        """Agent listener: the slots (or the VRRP state) changed.  A
        MASTER sends its pins; a BACKUP (maybe a replacement that was
        just given its registrations) asks its MASTER for them."""
        self._snapshot = True
        self._ask = True

    def _due(self):
        if self._snapshot:
            return 'snapshot'
        if self._full:
            return 'full'
        period = min(MAX_REFRESH, self.timeout / 4.0)
        if time.monotonic() - self._last_refresh >= period:
            return 'refresh'
        return None

    def send_round(self, mode):
        """snapshot: every pin there now; full: every pin sent before
        that is still there; refresh: those of them traffic refreshed."""
        now = time.monotonic()
        if mode == 'snapshot':
            self._snapshot = False
        elif mode == 'full':
            self._full = False
        self._last_refresh = now
        batch = {}
        targets = self._targets()
        for lb_id, table, name in targets:
            current = read_pins(self._nft, table, name)
            sent = self._sent.setdefault(lb_id, {})
            out = []
            for key, (mac, left) in current.items():
                if left is None or left < 1:
                    continue
                until = now + left
                old = sent.get(key)
                if mode == 'snapshot' or (old is not None and (
                        mode == 'full' or old[0] != mac or
                        until - old[1] > 1.0)):
                    out.append([key, mac, int(left)])
                    sent[key] = (mac, until)
            for key in set(sent) - set(current):
                del sent[key]
            if out:
                batch[lb_id] = out
        for lb_id in set(self._sent) - {t[0] for t in targets}:
            del self._sent[lb_id]
        for chunk in _chunks(batch):
            self._number += 1
            self._send({'type': PINS, 'n': self._number, 'lbs': chunk})

    # -- BACKUP side ------------------------------------------------------
    def _accept(self, message, addr):
        """Check a decoded datagram; returns False to drop it."""
        if message.get('vrid') != self.vrid or \
                message.get('sender') in (None, self.me):
            return False
        sender = message['sender']
        stamp = heartbeat.order(message)
        last = self._seen.get(sender)
        if stamp is None or (last and not heartbeat.newer(stamp, last[0])):
            return False
        if message.get('type') == PINS:
            n = message.get('n')
            if last is None or last[0][0] != stamp[0] or (
                    isinstance(n, int) and last[1] is not None and
                    n != last[1] + 1):
                # New sender, restarted sender or lost datagrams.
                self._send({'type': RESYNC}, to=[(addr[0],
                                                 self.opts.pin_sync_port)])
            self._seen[sender] = (stamp, n)
        else:
            self._seen[sender] = (stamp, last[1] if last else None)
        return True

    def install(self, lbs):
        """Install pins [[key, mac, seconds left]] per load balancer."""
        with self.agent.lock:
            local = {lb.id: (ruleset.table_name(lb.interface),
                             _flows_map(lb)) for lb in self.agent.lbs.values()
                     if lb.id in lbs}
        for lb_id, (table, name) in local.items():
            elements = [e for e in lbs[lb_id] if isinstance(e, list) and
                        len(e) == 3 and isinstance(e[2], int) and e[2] >= 1]
            if not elements:
                continue
            known = self._installed.setdefault(lb_id, {})
            try:
                self._apply(table, name, elements, known)
            except nftlib.NftError:
                # A pin of our own with another MAC, or one we thought
                # there expired: re-read the map and try once more.
                known.clear()
                known.update({k: v[0] for k, v in read_pins(
                    self._nft, table, name).items()})
                try:
                    self._apply(table, name, elements, known)
                except nftlib.NftError as exc:
                    LOG.warning('pin sync of %s failed: %s', lb_id, exc)
                    continue
            self.counters['installed'] += len(elements)
        for lb_id in set(self._installed) - set(local) - set(lbs):
            self._installed.pop(lb_id, None)

    def _apply(self, table, name, elements, known):
        cmds = []
        changed = [_checked_key(k) for k, mac, _ in elements
                   if known.get(k) not in (None, mac)]
        if changed:
            cmds.append('delete element netdev %s %s { %s }'
                        % (table, name, ', '.join(changed)))
        timeout = max(1, int(self.timeout))
        cmds.append('add element netdev %s %s { %s }' % (
            table, name, ', '.join('%s timeout %ds expires %ds : %s' % (
                _checked_key(k), timeout, min(left, timeout),
                _checked_mac(mac))
            for k, mac, left in elements)))
        # Short transactions (CHUNK elements), between the dataplane's.
        with self.agent.dp._lock:
            self._nft.run('\n'.join(cmds))
        for k, mac, _ in elements:
            known[k] = mac

    def receive(self, data, addr):
        try:
            message = heartbeat.decode(data, self.key)
        except heartbeat.InvalidHeartbeat:
            self.counters['dropped'] += 1
            return
        try:
            ok = self._accept(message, addr)
        except heartbeat.InvalidHeartbeat:
            ok = False
        if not ok:
            self.counters['dropped'] += 1
            return
        self.counters['received'] += 1
        if message.get('type') == RESYNC:
            self.counters['resyncs'] += 1
            self._full = True
        elif message.get('type') == PINS and not self._master() and \
                isinstance(message.get('lbs'), dict):
            self.install(message['lbs'])

    # -- loop -------------------------------------------------------------
    def _master(self):
        vrrp = self.agent.vrrp
        return vrrp is not None and vrrp.state == wire.VRRP_MASTER

    def run(self):
        self._open()
        next_round = time.monotonic()
        while not self.stopped.is_set():
            try:
                self._join()
                left = max(0.0, next_round - time.monotonic())
                ready, _, _ = select.select([self.sock], [], [], left)
                if ready:
                    try:
                        data, addr = self.sock.recvfrom(
                            heartbeat.MAX_DATAGRAM)
                    except BlockingIOError:
                        data = None
                    if data:
                        self.receive(data, addr)
                if time.monotonic() < next_round:
                    continue
                next_round = time.monotonic() + self.opts.pin_sync_interval
                master = self._master()
                if master and not self._was_master:
                    # Just took over (or started as MASTER): the peer may
                    # have nothing; our pins include those we installed.
                    self._snapshot = True
                    self._installed.clear()
                self._was_master = master
                mode = self._due() if master else None
                if mode:
                    self.send_round(mode)
                elif not master and self._ask and self._join():
                    self._ask = False
                    self._send({'type': RESYNC})
            except Exception:
                LOG.exception('pin sync round failed')
                self.stopped.wait(1.0)
        self.sock.close()

    def stop(self):
        self.stopped.set()

    def details(self):
        return dict(self.counters, peers=len(self._seen))


def _chunks(batch):
    chunk, size = {}, 0
    for lb_id, elements in batch.items():
        for i in range(0, len(elements), CHUNK):
            part = elements[i:i + CHUNK]
            if size + len(part) > CHUNK and chunk:
                yield chunk
                chunk, size = {}, 0
            chunk.setdefault(lb_id, []).extend(part)
            size += len(part)
    if chunk:
        yield chunk


def _checked_key(key):
    """A pin key as nft text: addresses, numbers and ' . ' only (it comes
    from the network, signed, but never splice unchecked text into nft)."""
    parts = key.split(' . ')
    for part in parts:
        try:
            ipaddress.ip_address(part)
            continue
        except ValueError:
            pass
        if not (part.isdigit() or (part.startswith('0x') and all(
                c in '0123456789abcdef' for c in part[2:]) and part[2:])):
            raise nftlib.NftError('bad pin key %r' % key)
    return key


def _checked_mac(mac):
    if not isinstance(mac, str) or len(mac) != 17 or any(
            c not in '0123456789abcdef:' for c in mac.lower()):
        raise nftlib.NftError('bad MAC %r' % mac)
    return mac
