"""Listener, pool and member operating statuses from an amphora's
heartbeat (upstream's mapping), and the load balancer's roll-up from
them."""
import datetime

import pytest
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models
from tests.functional.worker import helpers as h


@pytest.fixture
def lb(worker):
    """An ACTIVE_ACTIVE load balancer with a listener, a pool with a
    health monitor and four members, all ACTIVE."""
    lb_id = h.make_lb(desired=1, standby=1)
    worker.create_load_balancer(lb_id)
    ids = {'lb': lb_id}
    ids['listener'] = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                                  protocol='HTTP', protocol_port=80)
    worker.create_object('listener', ids['listener'])
    ids['pool'] = h.add_child('pool', lb_id, load_balancer_id=lb_id,
                              protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    worker.create_object('pool', ids['pool'])
    hm = h.add_child('health_monitor', lb_id, pool_id=ids['pool'],
                     type='HTTP', delay=5, timeout=5, max_retries=3)
    worker.create_object('health_monitor', hm)
    ids['members'] = []
    for n in range(4):
        member = h.add_child('member', lb_id, pool_id=ids['pool'],
                             ip_address='203.0.113.%d' % (n + 10),
                             protocol_port=80)
        worker.create_object('member', member)
        ids['members'].append(member)
    ids['amphora'] = h.amphorae(lb_id)[0].id
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE
    return ids


def beat(ids, listener='OPEN', pool='UP', members=None):
    message = {'id': ids['amphora'], 'seq': 1, 'ver': 3, 'listeners': {}}
    if listener is not None:
        message['listeners'][ids['listener']] = {'status': listener,
                                                 'stats': {}}
    if pool is not None:
        message['pools'] = {'%s:%s' % (ids['pool'], ids['listener']): {
            'status': pool, 'members': members or {}}}
    assert health_db.record_heartbeat(message) == ('amphora', [])


def statuses(ids):
    return (h.get(models.LoadBalancer, ids['lb']).operating_status,
            h.get(models.Listener, ids['listener']).operating_status,
            h.get(models.Pool, ids['pool']).operating_status,
            [h.get(models.Member, m).operating_status
             for m in ids['members']])


def test_all_up_is_online(lb):
    m = lb['members']
    beat(lb, members={m[0]: 'UP', m[1]: 'UP 1/3', m[2]: 'UP', m[3]: 'UP'})
    assert statuses(lb) == (c.ONLINE, c.ONLINE, c.ONLINE, [c.ONLINE] * 4)


def test_member_mapping_and_degraded_pool(lb):
    m = lb['members']
    # m[3] is not reported at all: OFFLINE.
    beat(lb, members={m[0]: 'DOWN', m[1]: 'DRAIN', m[2]: 'MAINT'})
    assert statuses(lb) == (c.DEGRADED, c.ONLINE, c.DEGRADED,
                            [c.ERROR, c.DRAINING, c.OFFLINE, c.OFFLINE])
    beat(lb, members={m[0]: 'no check', m[1]: 'UP', m[2]: 'UP',
                      m[3]: 'UP'})
    assert statuses(lb)[3] == [c.NO_MONITOR, c.ONLINE, c.ONLINE, c.ONLINE]
    # RESTARTING keeps what was known.
    beat(lb, members={m[0]: 'RESTARTING', m[1]: 'UP', m[2]: 'UP',
                      m[3]: 'UP'})
    assert statuses(lb)[3][0] == c.NO_MONITOR


def test_pool_down_is_an_error_of_the_load_balancer(lb):
    beat(lb, pool='DOWN')
    lb_status, _, pool_status, _ = statuses(lb)
    assert (lb_status, pool_status) == (c.ERROR, c.ERROR)


def test_full_or_missing_listener(lb):
    beat(lb, listener='FULL')
    assert statuses(lb)[:2] == (c.DEGRADED, c.DEGRADED)
    beat(lb, listener=None, pool=None)
    lb_status, listener, pool, _ = statuses(lb)
    assert (listener, pool) == (c.ERROR, c.OFFLINE)
    assert lb_status == c.DEGRADED
    beat(lb, members={m: 'UP' for m in lb['members']})
    assert statuses(lb)[:3] == (c.ONLINE, c.ONLINE, c.ONLINE)


def test_a_locked_load_balancer_is_left_to_its_flow(lb):
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb['lb']).provisioning_status = (
            c.PENDING_UPDATE)
    before = statuses(lb)
    beat(lb, pool='DOWN')
    assert statuses(lb) == before
    # The heartbeat still counts for liveness.
    assert h.get(models.AmphoraHealth, lb['amphora']) is not None


def _statements(func):
    """SQL statements func() sends."""
    sent = []
    engine = db_api.get_engine()

    def count(*_args):
        sent.append(_args[2])
    sa.event.listen(engine, 'before_cursor_execute', count)
    try:
        func()
    finally:
        sa.event.remove(engine, 'before_cursor_execute', count)
    return sent


def test_a_steady_heartbeat_is_a_few_statements(lb):
    """Nothing changes: the health row and the counters are written, no
    ORM load of the load balancer's tree.  Nine statements: BEGIN, the
    amphora, its health row, a savepoint around the counters (read,
    write, release), the listeners, the pools with their members."""
    m = lb['members']
    members = {m[0]: 'UP', m[1]: 'UP', m[2]: 'UP', m[3]: 'UP'}
    beat(lb, members=members)
    before = h.get(models.AmphoraHealth, lb['amphora']).last_update
    sent = _statements(lambda: beat(lb, members=members))
    assert len(sent) <= 9, sent
    assert h.get(models.AmphoraHealth, lb['amphora']).last_update > before
    assert statuses(lb)[0] == c.ONLINE


def test_an_amphora_back_from_stale_rolls_the_load_balancer_up(lb):
    """The heartbeat changes no child status, yet the load balancer's
    roll-up moves (its amphora was stale): it must be recomputed."""
    m = lb['members']
    members = {m[0]: 'UP', m[1]: 'UP', m[2]: 'UP', m[3]: 'UP'}
    beat(lb, members=members)
    assert statuses(lb)[0] == c.ONLINE
    with db_api.session_scope() as session:
        session.get(models.AmphoraHealth, lb['amphora']).last_update = (
            datetime.datetime(2000, 1, 1))
        lifecycle.roll_up_load_balancer(
            session, session.get(models.LoadBalancer, lb['lb']))
    assert statuses(lb)[0] != c.ONLINE
    beat(lb, members=members)
    assert statuses(lb)[0] == c.ONLINE
