"""Load-balancer create and delete for every topology, with the noop
drivers, against a real migrated SQLite database."""
import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.db import models
from tests.functional.worker import helpers as h


def test_create_active_active(worker):
    lb_id = h.make_lb(desired=3, min_size=2, standby=1)
    worker.create_load_balancer(lb_id)

    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)
    assert lb.fault is None
    amps = h.amphorae(lb_id)
    assert sorted(a.role for a in amps) == [c.ROLE_IN_CLUSTER] * 3 + [
        c.ROLE_IN_CLUSTER_STANDBY]
    assert {a.status for a in amps} == {c.ALLOCATED}
    assert all(a.compute_id and a.lb_network_ip and a.frontend_mac
               for a in amps)
    # Each amphora got its own front-end address from IPAM.
    assert len({a.vrrp_ip for a in amps}) == 4
    # In upstream's words: its own port is vrrp_port_id, the VIP's port
    # the amphorae share is ha_port_id.
    assert None not in {a.vrrp_port_id for a in amps}
    assert len({a.vrrp_port_id for a in amps}) == 4
    assert lb.vip.port_id and {a.ha_port_id for a in amps} == {
        lb.vip.port_id}
    assert h.ipam_owners() == sorted(
        ['vip:' + lb_id] + ['amphora:' + a.id for a in amps])

    cluster = h.rows(models.Cluster)[0]
    assert (cluster.provisioning_status, cluster.operating_status) == (
        c.ACTIVE, c.ONLINE)
    dist = h.get(models.Distributor, cluster.distributor_id)
    assert dist.name == 'noop-distributor' and dist.status == c.ACTIVE

    regs = h.registrations(lb_id)
    assert {r.amphora_id for r in regs} == {a.id for a in amps}
    assert sorted(r.position for r in regs) == [0, 1, 2, 3]
    assert {r.distributor_id for r in regs} == {dist.id}
    # The distributor was told the same, and holds the VIP.
    noop = drivers.get('distributor')
    assert set(noop.registrations[lb_id]) == {a.id for a in amps}
    assert noop.vips[lb_id]['vip_address'] == lb.vip.ip_address
    # Amphorae take the VIP without ARP: the distributor owns it.
    state = drivers.get('amphora').state
    assert all(state[a.id]['arp'] is False for a in amps)
    assert all(state[a.id]['vip']['ip_address'] == lb.vip.ip_address
               for a in amps)


def test_second_active_active_reuses_distributor(worker):
    first, second = h.make_lb(), h.make_lb()
    worker.create_load_balancer(first)
    worker.create_load_balancer(second)
    assert len(h.rows(models.Distributor)) == 1
    positions = {r.position for r in h.registrations(second)}
    assert positions == {0, 1, 2}


def test_create_single(worker):
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)
    (amp,) = h.amphorae(lb_id)
    assert amp.role == c.ROLE_STANDALONE and amp.status == c.ALLOCATED
    assert drivers.get('amphora').state[amp.id]['arp'] is True
    assert h.rows(models.Distributor) == []
    assert h.registrations(lb_id) == []


def test_create_active_standby(worker):
    lb_id = h.make_lb(c.TOPOLOGY_ACTIVE_STANDBY)
    worker.create_load_balancer(lb_id)
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE
    amps = {a.role: a for a in h.amphorae(lb_id)}
    assert set(amps) == {c.ROLE_MASTER, c.ROLE_BACKUP}
    state = drivers.get('amphora').state
    master, backup = amps[c.ROLE_MASTER], amps[c.ROLE_BACKUP]
    for amp, peer, prio in ((master, backup, 200), (backup, master, 100)):
        vrrp = state[amp.id]['vrrp']
        assert (vrrp['peers'], vrrp['priority']) == ([peer.vrrp_ip], prio)
        # keepalived gets the VIP and the MAC of the amphora's own port;
        # the plug leaves the address to it.
        assert vrrp['vip']['mac'] == amp.frontend_mac
        assert vrrp['vip']['ip_address'] == state[amp.id]['vip'][
            'ip_address']
        assert state[amp.id]['vip']['vrrp'] is True
        assert state[amp.id]['arp'] is True


def test_active_active_without_cluster_row_is_error(worker):
    lb_id = h.make_lb(cluster=False)
    worker.create_load_balancer(lb_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'no cluster row' in lb.fault
    assert h.amphorae(lb_id) == []


def _populate(lb_id):
    """A listener with an L7 policy and rule, a pool with two members and
    a health monitor, all ACTIVE, as after earlier casts."""
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80)
    pool = h.add_child('pool', lb_id, load_balancer_id=lb_id,
                       protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    ids = {'listener': lst, 'pool': pool}
    ids['member'] = h.add_child('member', lb_id, pool_id=pool,
                                ip_address='203.0.113.20',
                                protocol_port=8080)
    h.add_child('member', lb_id, pool_id=pool, ip_address='203.0.113.21',
                protocol_port=8080)
    ids['health_monitor'] = h.add_child('health_monitor', lb_id,
                                        pool_id=pool, type='HTTP', delay=5,
                                        timeout=3, max_retries=3)
    ids['l7policy'] = h.add_child('l7policy', lb_id, listener_id=lst,
                                  action='REDIRECT_TO_POOL',
                                  redirect_pool_id=pool)
    ids['l7rule'] = h.add_child('l7rule', lb_id, l7policy_id=ids['l7policy'],
                                type='PATH', compare_type='STARTS_WITH',
                                value='/api')
    with h.db_api.session_scope() as session:
        session.get(models.Listener, lst).default_pool_id = pool
        for model in (models.Listener, models.Pool, models.Member,
                      models.HealthMonitor, models.L7Policy, models.L7Rule):
            for obj in session.scalars(h.sa.select(model)):
                obj.provisioning_status = c.ACTIVE
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.ACTIVE)
    return ids


@pytest.mark.parametrize('topology', c.SUPPORTED_TOPOLOGIES)
def test_cascade_delete_leaves_nothing(worker, topology):
    keep = h.make_lb(topology)
    worker.create_load_balancer(keep)
    lb_id = h.make_lb(topology)
    worker.create_load_balancer(lb_id)
    _populate(lb_id)
    doomed = {a.id for a in h.amphorae(lb_id)}
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_DELETE)
    before = {m: h.count(m) for m in (models.Listener, models.Pool,
                                      models.Member, models.HealthMonitor,
                                      models.L7Policy, models.L7Rule)}
    assert all(before.values())

    worker.delete_load_balancer(lb_id, cascade=True)

    assert h.get(models.LoadBalancer, lb_id) is None
    for model in before:
        assert h.count(model) == 0, model
    assert h.get(models.Vip, lb_id) is None
    assert {a.id for a in h.rows(models.Amphora)}.isdisjoint(doomed)
    assert h.registrations(lb_id) == []
    # Only the other load balancer's addresses are still allocated.
    assert not [o for o in h.ipam_owners() if lb_id in o or
                o.split(':')[1] in doomed]
    assert h.get(models.LoadBalancer, keep).provisioning_status == c.ACTIVE
    assert lb_id not in drivers.get('distributor').vips
    compute = drivers.get('compute').machines
    assert not [m for m in compute.values() if m['entity_id'] in doomed]
    # The other load balancer's cluster (if its topology has one) stays.
    assert h.count(models.Cluster) == len(h.rows(
        models.Cluster, models.Cluster.load_balancer_id == keep))


def test_redelivered_create_builds_nothing_more(worker):
    lb_id = h.make_lb()
    worker.create_load_balancer(lb_id)
    amps = {a.id for a in h.amphorae(lb_id)}
    worker.create_load_balancer(lb_id)
    assert {a.id for a in h.amphorae(lb_id)} == amps
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE
