"""Create, update and delete of every object under a load balancer, and
the batch member update: rows settle, the LB and listeners unlock, and
the amphorae get the configuration with (or without) the object."""
import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.controller.worker import objects
from octavia_aa.db import models
from tests.functional.worker import helpers as h


@pytest.fixture
def lb_id(worker):
    lb_id = h.make_lb(desired=2, standby=0)
    worker.create_load_balancer(lb_id)
    return lb_id


def pushed(lb_id):
    """The configuration every amphora holds (they must agree)."""
    state = drivers.get('amphora').state
    configs = [state[a.id]['config'] for a in h.amphorae(lb_id)]
    assert all(cfg == configs[0] for cfg in configs)
    return configs[0]


def report_members(lb_id, listener_id, pool_id, members):
    """Every amphora's heartbeat says the listener is open and how its
    pool's members are, through the health manager's receiver."""
    message = {'listeners': {listener_id: {'status': 'OPEN'}},
               'pools': {'%s:%s' % (pool_id, listener_id): {
                   'status': 'UP', 'members': members}}}
    for amp in h.amphorae(lb_id):
        health_db.record_heartbeat(dict(message, id=amp.id))


def assert_unlocked(lb_id):
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ACTIVE
    assert all(lst.provisioning_status == c.ACTIVE
               for lst in h.rows(models.Listener))


def test_full_tree_create_update_delete(worker, lb_id):
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80)
    worker.create_object('listener', lst)
    listener = h.get(models.Listener, lst)
    # OFFLINE until a heartbeat says HAProxy serves it, as upstream.
    assert (listener.provisioning_status, listener.operating_status) == (
        c.ACTIVE, c.OFFLINE)
    assert_unlocked(lb_id)
    assert [entry['id'] for entry in pushed(lb_id)['listeners']] == [lst]

    pool = h.add_child('pool', lb_id, load_balancer_id=lb_id,
                       protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    worker.create_object('pool', pool)
    member = h.add_child('member', lb_id, pool_id=pool,
                         ip_address='203.0.113.30', protocol_port=80)
    worker.create_object('member', member)
    # Nothing has reported on the member yet.
    assert h.get(models.Member, member).operating_status == c.OFFLINE
    report_members(lb_id, lst, pool, {member: 'no check'})
    assert h.get(models.Member, member).operating_status == c.NO_MONITOR
    assert h.get(models.Listener, lst).operating_status == c.ONLINE

    hm = h.add_child('health_monitor', lb_id, pool_id=pool, type='HTTP',
                     delay=5, timeout=3, max_retries=3)
    worker.create_object('health_monitor', hm)
    assert h.get(models.HealthMonitor, hm).provisioning_status == c.ACTIVE
    report_members(lb_id, lst, pool, {member: 'UP'})
    assert h.get(models.Member, member).operating_status == c.ONLINE

    pol = h.add_child('l7policy', lb_id, listener_id=lst, action='REJECT')
    worker.create_object('l7policy', pol)
    rule = h.add_child('l7rule', lb_id, l7policy_id=pol, type='PATH',
                       compare_type='EQUAL_TO', value='/x')
    worker.create_object('l7rule', rule)
    cfg = pushed(lb_id)
    assert cfg['pools'][0]['members'][0]['ip_address'] == '203.0.113.30'
    assert cfg['pools'][0]['health_monitor']['id'] == hm
    assert cfg['listeners'][0]['l7policies'][0]['rules'][0]['value'] == '/x'
    for kind, id_ in (('l7policy', pol), ('l7rule', rule)):
        obj = h.get(objects.MODELS[kind], id_)
        assert (obj.provisioning_status, obj.operating_status) == (
            c.ACTIVE, c.ONLINE)

    # Update: the API wrote the new values and locked; the worker pushes.
    with h.db_api.session_scope() as session:
        session.get(models.Member, member).weight = 7
        session.get(models.Member, member).provisioning_status = (
            c.PENDING_UPDATE)
        h.lock(session, lb_id)
    worker.update_object('member', member, {'weight': 7})
    assert h.get(models.Member, member).provisioning_status == c.ACTIVE
    assert pushed(lb_id)['pools'][0]['members'][0]['weight'] == 7
    assert_unlocked(lb_id)

    with h.db_api.session_scope() as session:
        session.get(models.Listener, lst).enabled = False
        session.get(models.Listener, lst).provisioning_status = (
            c.PENDING_UPDATE)
        h.lock(session, lb_id)
    worker.update_object('listener', lst, {'enabled': False})
    listener = h.get(models.Listener, lst)
    assert (listener.provisioning_status, listener.operating_status) == (
        c.ACTIVE, c.OFFLINE)

    # Delete bottom-up, each time the row goes and the config follows.
    for kind, id_ in (('l7rule', rule), ('l7policy', pol),
                      ('health_monitor', hm), ('member', member),
                      ('pool', pool), ('listener', lst)):
        h.set_status(objects.MODELS[kind], id_, lb_id, c.PENDING_DELETE)
        worker.delete_object(kind, id_)
        assert h.get(objects.MODELS[kind], id_) is None, kind
        assert_unlocked(lb_id)
    assert pushed(lb_id)['listeners'] == []
    assert pushed(lb_id)['pools'] == []


def test_deleting_a_default_pool_detaches_it(worker, lb_id):
    pool = h.add_child('pool', lb_id, load_balancer_id=lb_id,
                       protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    worker.create_object('pool', pool)
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80,
                      default_pool_id=pool)
    worker.create_object('listener', lst)
    h.set_status(models.Pool, pool, lb_id, c.PENDING_DELETE)
    worker.delete_object('pool', pool)
    assert h.get(models.Pool, pool) is None
    listener = h.get(models.Listener, lst)
    assert listener.default_pool_id is None
    assert listener.provisioning_status == c.ACTIVE


def test_deleting_an_l7_policy_closes_the_gap(worker, lb_id):
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80)
    worker.create_object('listener', lst)
    pols = []
    for position in (1, 2, 3):
        pols.append(h.add_child('l7policy', lb_id, listener_id=lst,
                                action='REJECT', position=position))
        worker.create_object('l7policy', pols[-1])
    h.set_status(models.L7Policy, pols[0], lb_id, c.PENDING_DELETE)
    worker.delete_object('l7policy', pols[0])
    # Upstream's reorder(): the others move up to 1..n.
    assert [h.get(models.L7Policy, p).position for p in pols[1:]] == [1, 2]
    assert [p['id'] for p in pushed(lb_id)['listeners'][0][
        'l7policies']] == pols[1:]


def test_batch_update_members(worker, lb_id):
    pool = h.add_child('pool', lb_id, load_balancer_id=lb_id,
                       protocol='TCP', lb_algorithm='ROUND_ROBIN')
    worker.create_object('pool', pool)
    old = [h.add_child('member', lb_id, pool_id=pool,
                       ip_address='203.0.113.%d' % i, protocol_port=80)
           for i in (40, 41)]
    for member in old:
        worker.create_object('member', member)
    new = h.add_child('member', lb_id, pool_id=pool,
                      ip_address='203.0.113.42', protocol_port=80)
    with h.db_api.session_scope() as session:
        session.get(models.Member, old[0]).provisioning_status = (
            c.PENDING_UPDATE)
        session.get(models.Member, old[0]).weight = 3
        session.get(models.Member, old[1]).provisioning_status = (
            c.PENDING_DELETE)
    worker.batch_update_members(pool, [new], [old[0]], [old[1]])

    assert h.get(models.Member, old[1]) is None
    for member in (new, old[0]):
        assert h.get(models.Member, member).provisioning_status == c.ACTIVE
    members = pushed(lb_id)['pools'][0]['members']
    assert sorted((m['ip_address'], m['weight']) for m in members) == [
        ('203.0.113.40', 3), ('203.0.113.42', 1)]
    assert_unlocked(lb_id)


def test_update_load_balancer_disabled_goes_offline(worker, lb_id):
    with h.db_api.session_scope() as session:
        lb = session.get(models.LoadBalancer, lb_id)
        lb.enabled = False
        lb.provisioning_status = c.PENDING_UPDATE
    worker.update_load_balancer(lb_id, {'admin_state_up': False})
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.OFFLINE)
    assert pushed(lb_id)['load_balancer']['enabled'] is False
