import socket
import zlib

from hypothesis import given
from hypothesis import settings
from hypothesis import strategies as st

from octavia_aa.common import heartbeat
from tests.distributor import lab as lab_mod

KEY = 'insecure-test-key'
messages = st.dictionaries(
    st.text(max_size=8),
    st.recursive(st.none() | st.booleans() | st.integers() | st.text(),
                 lambda c: st.lists(c, max_size=3) |
                 st.dictionaries(st.text(max_size=5), c, max_size=3),
                 max_leaves=10), max_size=5)


@settings(max_examples=100, deadline=None)
@given(messages)
def test_round_trip(message):
    assert heartbeat.decode(heartbeat.encode(message, KEY), KEY) == message


def test_wire_format_is_upstreams():
    data = heartbeat.encode({'id': 'x', 'seq': 1}, KEY)
    import hashlib
    import hmac
    payload, digest = data[:-64], data[-64:]
    assert digest == hmac.new(KEY.encode(), payload,
                              hashlib.sha256).hexdigest().encode()
    assert zlib.decompress(payload) == b'{"id":"x","seq":1}'


def test_raw_digest_accepted():
    import hashlib
    import hmac
    payload = zlib.compress(b'{"a":1}')
    data = payload + hmac.new(KEY.encode(), payload, hashlib.sha256).digest()
    assert heartbeat.decode(data, KEY) == {'a': 1}


@settings(max_examples=100, deadline=None)
@given(messages, st.integers(0, 10_000), st.integers(1, 255))
def test_any_flipped_byte_is_rejected(message, where, xor):
    data = bytearray(heartbeat.encode(message, KEY))
    data[where % len(data)] ^= xor
    try:
        heartbeat.decode(bytes(data), KEY)
    except heartbeat.InvalidHeartbeat:
        return
    raise AssertionError('tampered datagram accepted')


def test_receiver_drops_and_counts_bad_datagrams(lab):
    # Sockets made in a namespace of our own: no traffic in the host's.
    with lab_mod.netns(lab.sw):
        rx = heartbeat.HeartbeatReceiver(KEY, '127.0.0.1', 0)
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    tx = heartbeat.HeartbeatSender(KEY, ['127.0.0.1:%d' % rx.address[1]])
    forger = heartbeat.HeartbeatSender('wrong-key', tx.destinations)
    with lab_mod.netns(lab.sw):
        tx._sock('127.0.0.1')
        forger._sock('127.0.0.1')
    try:
        good = tx.send({'id': 'd1', 'seq': 7})
        forger.send({'id': 'd1', 'seq': 8})
        raw.sendto(good[:20], rx.address)                       # truncated
        raw.sendto(good[:-64][:-3] + heartbeat.encode({}, KEY)[-64:],
                   rx.address)                                  # forged
        import hashlib
        import hmac
        junk = b'not zlib at all'
        raw.sendto(junk + hmac.new(KEY.encode(), junk,
                                   hashlib.sha256).hexdigest().encode(),
                   rx.address)                                  # garbled
        tx.send({'id': 'd1', 'seq': 9})
        got = []
        for _ in range(6):
            r = rx.receive(timeout=5)
            if r:
                got.append(r[0])
        # The sender stamps its own sequence, start time and time.
        assert len(got) == 2 and got[0]['seq'] < got[1]['seq']
        assert {m['boot'] for m in got} == {heartbeat.BOOT}
        assert all(isinstance(m['time'], float) for m in got)
        assert rx.counters == {'received': 6, 'accepted': 2, 'forged': 2,
                               'truncated': 1, 'garbled': 1}
        assert rx.dropped == 4
    finally:
        raw.close()
        tx.close()
        forger.close()
        rx.close()


def test_stamps_order_messages_and_expose_replays():
    first = heartbeat.stamp({'id': 'a1'})
    second = heartbeat.stamp({'id': 'a1'})
    assert first['boot'] == second['boot'] == heartbeat.BOOT
    assert second['seq'] > first['seq']
    seen = heartbeat.order(second)
    # A replay of either is not newer than what was seen last.
    assert not heartbeat.newer(heartbeat.order(second), seen)
    assert not heartbeat.newer(heartbeat.order(first), seen)
    assert heartbeat.newer(seen, None)
    # A restarted sender: later start time, sequence from 1 again.
    assert heartbeat.newer((first['boot'] + 1, 1), seen)
    # An agent older than the stamp is not ordered.
    assert heartbeat.order({'id': 'a1', 'seq': 3}) is None


def test_a_bad_stamp_is_garbled():
    for boot, seq in (('1', 1), (1, None), (True, 1), (-1, 1), (2 ** 64, 1),
                      (1, 1.5)):
        try:
            heartbeat.order({'boot': boot, 'seq': seq})
        except heartbeat.InvalidHeartbeat as exc:
            assert exc.reason == 'garbled'
        else:
            raise AssertionError('stamp %r accepted' % ((boot, seq),))
