"""Heartbeats are checked field by field, and replays are dropped.

A counter that is negative, too large or not an integer is dropped on
its own: the rest of the report and the liveness refresh still count.
The envelope carries the sender's start time, a sequence number and the
time; a heartbeat not newer than the last one accepted for its sender
(kept with the health row, so every health manager sees it) neither
refreshes liveness nor adds its counters again."""
import datetime
import socket
import time

import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import heartbeat
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.controller.healthmanager import service as hm_service
from octavia_aa.db import models
from tests.functional.healthmanager.conftest import KEY
from tests.functional.worker import helpers as h

LONG_AGO = datetime.datetime(2000, 1, 1)


@pytest.fixture
def amp_listener(worker):
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    (amp,) = h.amphorae(lb_id)
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80)
    worker.create_object('listener', lst)
    return amp.id, lst


def stats_row(amp_id, lst):
    return h.get(models.ListenerStatistics, (lst, amp_id))


def age(amp_id):
    with h.db_api.session_scope() as session:
        session.get(models.AmphoraHealth, amp_id).last_update = LONG_AGO


def report(**stats):
    return {'status': 'OPEN', 'stats': stats}


def test_bad_counters_are_dropped_one_by_one(amp_listener):
    amp_id, lst = amp_listener
    message = heartbeat.stamp({'id': amp_id, 'ver': 3, 'listeners': {
        lst: report(rx=-999999999999, tx=40, conns='many', totconns=2 ** 70,
                    ereq=1)}})
    assert health_db.record_heartbeat(message) == ('amphora', [])
    row = stats_row(amp_id, lst)
    assert (row.bytes_in, row.bytes_out, row.active_connections,
            row.total_connections, row.request_errors) == (0, 40, 0, 0, 1)


@pytest.mark.parametrize('bad', [
    {'ver': 'three'},
    {'listeners': {'x': report(rx={'a': 1})}},
    {'listeners': [1, 2]},
    {'pools': {'p:l': {'status': ['UP'], 'members': 'all'}}},
    {'pools': 'none'},
])
def test_a_malformed_field_keeps_the_liveness_refresh(amp_listener, bad,
                                                      caplog):
    amp_id, lst = amp_listener
    message = heartbeat.stamp({'id': amp_id, 'ver': 3, 'listeners': {
        lst: {'status': ['OPEN'], 'stats': {'rx': 7.5, 'tx': True,
                                            'totconns': 3}}}})
    message.update(bad)
    assert health_db.record_heartbeat(message)[0] == 'amphora'
    health = h.get(models.AmphoraHealth, amp_id)
    assert health is not None and health.last_update > LONG_AGO
    # Each bad field is left out by the checks, without a traceback.
    assert [r for r in caplog.records if r.exc_info] == []
    age(amp_id)
    # The next, valid heartbeat is taken as usual.
    assert health_db.record_heartbeat(heartbeat.stamp(
        {'id': amp_id, 'ver': 3, 'listeners': {lst: report(rx=5)}}))[0] == (
        'amphora')
    assert h.get(models.AmphoraHealth, amp_id).last_update > LONG_AGO


def test_replay_is_dropped_on_every_backend(any_db, amp_listener):
    amp_id, lst = amp_listener
    assert h.db_api.get_engine().dialect.name == {
        'mariadb': 'mysql'}.get(any_db, any_db)
    first = heartbeat.stamp({'id': amp_id, 'ver': 3,
                             'listeners': {lst: report(rx=100, totconns=1)}})
    second = heartbeat.stamp({'id': amp_id, 'ver': 3,
                              'listeners': {lst: report(rx=10, totconns=1)}})
    assert health_db.record_heartbeat(first)[0] == 'amphora'
    assert health_db.record_heartbeat(second)[0] == 'amphora'
    age(amp_id)
    # Both replayed (the newer one and an older one): nothing moves.
    for replay in (second, first):
        assert health_db.record_heartbeat(dict(replay)) == (None, [])
    assert h.get(models.AmphoraHealth, amp_id).last_update == LONG_AGO
    assert stats_row(amp_id, lst).bytes_in == 110
    assert stats_row(amp_id, lst).total_connections == 2
    # A restarted agent (a later start time, its sequence from 1 again)
    # is heard at once.
    restarted = dict(heartbeat.stamp({'id': amp_id, 'ver': 3}), seq=1,
                     boot=first['boot'] + 1)
    assert health_db.record_heartbeat(restarted)[0] == 'amphora'
    assert h.get(models.AmphoraHealth, amp_id).last_update > LONG_AGO


def test_distributor_replay_is_dropped(db):  # noqa: F811
    with h.db_api.session_scope() as session:
        session.add(models.Distributor(id='d' * 36, status=c.ACTIVE))
    message = heartbeat.stamp({'id': 'd' * 36, 'type': 'distributor',
                               'ver': 1, 'load_balancers': {}})
    assert health_db.record_heartbeat(message)[0] == 'distributor'
    with h.db_api.session_scope() as session:
        session.get(models.DistributorHealth, 'd' * 36).last_update = (
            LONG_AGO)
    assert health_db.record_heartbeat(dict(message)) == (None, [])
    assert h.get(models.DistributorHealth, 'd' * 36).last_update == LONG_AGO


def poll(predicate, what, within=10):
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.05)
    pytest.fail('gave up waiting for ' + what)


def test_two_health_managers_and_a_replayed_datagram(amp_listener,
                                                     health_manager):
    """An agent sends every heartbeat to each health manager: the two
    copies, and a copy replayed by someone on the path, count once."""
    amp_id, lst = amp_listener
    other = hm_service.HealthManagerService()
    other.start()
    try:
        dest = ['127.0.0.1:%d' % health_manager.address[1],
                '127.0.0.1:%d' % other.address[1]]
        sender = heartbeat.HeartbeatSender(KEY, dest)
        data = sender.send({'id': amp_id, 'ver': 3,
                            'listeners': {lst: report(rx=100, totconns=1)}})

        def received():
            return (health_manager.receiver.counters['accepted'] +
                    other.receiver.counters['accepted'])
        poll(lambda: received() == 2, 'both copies')
        poll(lambda: stats_row(amp_id, lst) is not None, 'the stats')
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        age(amp_id)
        raw.sendto(data, ('127.0.0.1', health_manager.address[1]))
        raw.close()
        poll(lambda: received() == 3, 'the replayed copy')
        time.sleep(0.5)
        assert h.get(models.AmphoraHealth, amp_id).last_update == LONG_AGO
        # Counted once, and the replay refreshed nothing.
        sender.send({'id': amp_id, 'ver': 3, 'listeners': {}})
        poll(lambda: received() == 5, 'the next heartbeat')
        poll(lambda: h.get(models.AmphoraHealth, amp_id).last_update >
             LONG_AGO, 'the next heartbeat recorded')
        assert stats_row(amp_id, lst).bytes_in == 100
        assert stats_row(amp_id, lst).total_connections == 1
        sender.close()
    finally:
        other.stop()
