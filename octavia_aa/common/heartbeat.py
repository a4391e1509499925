"""The one heartbeat envelope shared by amphora and distributor agents.

Wire format (compatible with upstream Octavia's health daemon):
``zlib.compress(json_bytes, 9) + hex(HMAC-SHA256(key, compressed))``.
The HMAC gives integrity and origin only; nothing is encrypted.  For old
senders the receiver also accepts a raw 32-byte digest.

Against replays, every message a sender sends carries ``boot`` (when
the sending process started, in microseconds since the epoch), ``seq``
(counting from 1 in that process) and ``time`` (when it was sent).  A
receiver takes a message only if its (boot, seq) is newer than the last
one it accepted from that sender (``newer()``; the health manager keeps
it with the health row, so all health managers agree).  A restarted
agent has a later ``boot``, so its ``seq`` may start again.  A message
without ``boot`` (an agent older than this envelope) is not ordered.
"""
import hashlib
import hmac
import itertools
import json
import logging
import socket
import threading
import time
import zlib

LOG = logging.getLogger(__name__)

HEX_DIGEST_LEN = 64
RAW_DIGEST_LEN = 32
# A UDP datagram cannot be larger; anything bigger is not ours.
MAX_DATAGRAM = 65535


IP_FREEBIND = getattr(socket, 'IP_FREEBIND', 15)


# One start time and one sequence per process, whatever the number of
# senders it makes (the amphora agent makes a new one on a key change).
BOOT = time.time_ns() // 1000
_seq = itertools.count(1)
_seq_lock = threading.Lock()
# Larger than a BIGINT column holds: not a real boot time or sequence.
MAX_ORDER = (1 << 63) - 1


def stamp(message):
    """The message with this process's boot, its next seq and the time."""
    with _seq_lock:
        seq = next(_seq)
    return dict(message, boot=BOOT, seq=seq, time=time.time())


def order(message):
    """(boot, seq) of a stamped message, None for an unstamped one; raises
    InvalidHeartbeat('garbled') for a stamp that is not two integers in
    range."""
    if 'boot' not in message:
        return None
    boot, seq = message.get('boot'), message.get('seq')
    for value in (boot, seq):
        if isinstance(value, bool) or not isinstance(value, int) or not (
                0 <= value <= MAX_ORDER):
            raise InvalidHeartbeat('garbled', 'bad boot/seq stamp')
    return boot, seq


def newer(current, last):
    """Whether (boot, seq) `current` comes after `last` (None: nothing
    seen yet)."""
    return last is None or tuple(current) > tuple(last)


class InvalidHeartbeat(ValueError):
    """A datagram that must be dropped; ``reason`` says why."""

    def __init__(self, reason, detail=''):
        super().__init__('%s: %s' % (reason, detail) if detail else reason)
        self.reason = reason


def _key(key):
    return key.encode() if isinstance(key, str) else key


def encode(message, key):
    """Serialise, compress and sign one heartbeat message (a dict)."""
    payload = zlib.compress(
        json.dumps(message, sort_keys=True, separators=(',', ':')).encode(), 9)
    digest = hmac.new(_key(key), payload, hashlib.sha256).hexdigest()
    return payload + digest.encode('ascii')


def _check(payload, digest, key, raw):
    mac = hmac.new(_key(key), payload, hashlib.sha256)
    expected = mac.digest() if raw else mac.hexdigest().encode('ascii')
    return hmac.compare_digest(expected, digest)


def decode(data, key):
    """Return the message dict, or raise InvalidHeartbeat.

    Reasons: ``truncated`` (too short to carry a digest), ``forged`` (no
    digest matches the key) and ``garbled`` (signed but not zlib JSON
    object).
    """
    if len(data) <= RAW_DIGEST_LEN:
        raise InvalidHeartbeat('truncated', '%d bytes' % len(data))
    payload = None
    if (len(data) > HEX_DIGEST_LEN and
            _check(data[:-HEX_DIGEST_LEN], data[-HEX_DIGEST_LEN:], key,
                   raw=False)):
        payload = data[:-HEX_DIGEST_LEN]
    elif _check(data[:-RAW_DIGEST_LEN], data[-RAW_DIGEST_LEN:], key,
                raw=True):
        payload = data[:-RAW_DIGEST_LEN]
    if payload is None:
        raise InvalidHeartbeat('forged', 'HMAC mismatch')
    try:
        message = json.loads(zlib.decompress(payload))
    except (zlib.error, ValueError, UnicodeDecodeError) as exc:
        raise InvalidHeartbeat('garbled', str(exc))
    if not isinstance(message, dict):
        raise InvalidHeartbeat('garbled', 'not a JSON object')
    return message


class HeartbeatReceiver:
    """Reads signed datagrams from a UDP socket and keeps drop counters.

    ``receive()`` returns ``(message, address)`` for a good datagram and
    ``None`` for one that was dropped, so a loop never stops on garbage.
    ``key`` is the key, or a callable returning it for each datagram (a
    key that changes while the receiver runs).
    """

    def __init__(self, key, bind_ip='127.0.0.1', bind_port=5555, sock=None):
        self.key = key
        if sock is None:
            family = socket.AF_INET6 if ':' in bind_ip else socket.AF_INET
            sock = socket.socket(family, socket.SOCK_DGRAM)
            # The address may not exist yet (the management bridge is
            # made when the first agent is plugged): bind it anyway.
            sock.setsockopt(socket.SOL_IP, IP_FREEBIND, 1)
            sock.bind((bind_ip, bind_port))
        self.sock = sock
        self._lock = threading.Lock()
        self.counters = {'received': 0, 'accepted': 0, 'forged': 0,
                         'truncated': 0, 'garbled': 0}

    @property
    def address(self):
        return self.sock.getsockname()

    @property
    def dropped(self):
        c = self.counters
        return c['forged'] + c['truncated'] + c['garbled']

    def handle(self, data, address=None):
        """Validate one datagram; count it; return the message or None."""
        with self._lock:
            self.counters['received'] += 1
        try:
            key = self.key() if callable(self.key) else self.key
            message = decode(data, key)
        except InvalidHeartbeat as exc:
            with self._lock:
                self.counters[exc.reason] += 1
            LOG.warning('Dropped heartbeat from %s: %s', address, exc)
            return None
        with self._lock:
            self.counters['accepted'] += 1
        return message

    def receive(self, timeout=None):
        self.sock.settimeout(timeout)
        try:
            data, address = self.sock.recvfrom(MAX_DATAGRAM)
        except (socket.timeout, BlockingIOError):   # nothing waiting
            return None
        message = self.handle(data, address)
        return None if message is None else (message, address)

    def close(self):
        self.sock.close()


class HeartbeatSender:
    """Sends signed messages to every ``host:port`` destination."""

    def __init__(self, key, destinations):
        self.key = key
        self.destinations = [self._parse(d) for d in destinations]
        self._socks = {}

    @staticmethod
    def _parse(dest):
        if isinstance(dest, tuple):
            return dest
        host, _, port = dest.rpartition(':')
        return host.strip('[]'), int(port)

    def _sock(self, host):
        family = socket.AF_INET6 if ':' in host else socket.AF_INET
        if family not in self._socks:
            self._socks[family] = socket.socket(family, socket.SOCK_DGRAM)
        return self._socks[family]

    def send(self, message):
        """Stamp (boot, seq, time), sign and send; returns the datagram."""
        data = encode(stamp(message), self.key)
        for host, port in self.destinations:
            try:
                self._sock(host).sendto(data, (host, port))
            except OSError as exc:
                # One unreachable health manager must not stop the others.
                LOG.warning('Heartbeat to %s:%s failed: %s', host, port, exc)
        return data

    def close(self):
        for sock in self._socks.values():
            sock.close()
        self._socks = {}
