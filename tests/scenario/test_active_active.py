"""ACTIVE_ACTIVE end to end: octavia-aa-all with the netns data plane
(amphorae and distributors are namespaces running the real agents,
HAProxy, nftables and keepalived), driven by the real openstack CLI,
with real keep-alive traffic from a client namespace to members that
tell which amphora served each connection.

The tests run in order on one deployment and one load balancer:
create (a), traffic (b), amphora killed (c), resize (d), MASTER
distributor killed (e), cascade delete (f).  The deployment is removed
at the end whatever happened.
"""
import json
import os

import pytest

from tests.scenario import steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]


@pytest.fixture(scope='module')
def lb(dep):
    return steps.create_lb(dep)


def test_a_create(dep, lb):
    steps.wait_lb(dep, lb['id'], check=steps.cluster_is(3), timeout=90,
                  what='LB ACTIVE/ONLINE with 3+1 amphorae')
    shown = dep.cli.json('loadbalancer', 'show', lb['name'])
    assert shown['provisioning_status'] == 'ACTIVE'
    assert shown['operating_status'] == 'ONLINE'
    assert shown['vip_address'] == lb['vip']
    amps = dep.cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                        lb['name'])
    got = sorted(a['role'] for a in amps
                 if a['status'] not in steps.GONE)
    assert got == ['IN_CLUSTER'] * 3 + ['IN_CLUSTER_STANDBY'], amps
    # Every amphora runs in its own namespace with its own member port.
    addrs = {dep.member_address(a) for a in dep.amphorae(lb['id'])}
    assert len(addrs) == 4
    # `status show` prints JSON itself (no -f).
    status = json.loads(dep.cli.run('loadbalancer', 'status', 'show',
                                    lb['name']).stdout)
    listener = status['loadbalancer']['listeners'][0]
    members = listener['pools'][0]['members']
    assert sorted(m['address'] for m in members) == \
        sorted(dep.member_addresses())
    # No health monitor: HAProxy reports them up, or NO_MONITOR.
    assert {m['operating_status'] for m in members} <= {
        'ONLINE', 'NO_MONITOR'}, status


def test_b_traffic_over_every_amphora(dep, lb):
    res = steps.count_requests(dep, 300)
    assert res['ok'] == 300 and res['failed'] == 0, res
    amps = dep.amphorae(lb['id'])
    active = {dep.member_address(a)
              for a in steps.roles(amps)[steps.IN_CLUSTER]}
    standby = {dep.member_address(a)
               for a in steps.roles(amps)[steps.STANDBY]}
    # Each IN_CLUSTER amphora served some; the standby none.
    assert set(res['peers']) == active, (res['peers'], active, standby)
    assert len(res['peers']) == 3
    assert res['members'] == ['member1', 'member2', 'member3']


def test_c_kill_amphora_under_load(dep, lb):
    res = steps.kill_amphora(dep, lb['id'])
    steps.log({k: v for k, v in res.items() if k != 'stats'})
    # The victim carried connections, others too: the assertions below
    # are about something.
    assert res['victim_connections'] > 0, res
    assert len(res['stats']) >= 3, res
    # Only connections on the killed amphora may fail.
    assert res['failed_elsewhere'] == 0, res['stats']
    # Every load connection got answers again after the last failure.
    assert res['workers_recovered'] == res['workers'], res
    assert res['restore_ms'] < 5000, res
    # DEGRADED, then ONLINE with a replacement standby, victim gone.
    assert res['replaced_s'] is not None, res['statuses']
    assert 'DEGRADED' in [s for _, s in res['statuses']], res['statuses']
    assert res['victim_addr'] not in res['amphorae_after']
    # Only the victim was replaced; both distributors stayed ACTIVE.
    assert set(res['amphorae_before']) - {res['victim_addr']} <= \
        set(res['amphorae_after']), res
    assert [d['status'] for d in dep.distributors()] == ['ACTIVE'] * 2
    assert res['victim_namespace'] not in dep.prefix_namespaces()
    shown = dep.cli.json('loadbalancer', 'show', lb['name'])
    assert shown['operating_status'] == 'ONLINE'


def test_d_resize_under_load(dep, lb):
    res = steps.resize(dep, lb['id'], sizes=(5, 2))
    steps.log({k: v for k, v in res.items() if k != 'stats'})
    assert res['cluster']['desired_size'] == 2
    assert len(res['survivors']) == 3          # 2 + the standby
    assert res['survivor_connections'] > 0, res
    # No failed request on a connection whose amphora stayed; and the
    # removed amphorae were drained: their HTTP keep-alive connections
    # were closed after a response, not cut (nothing to retry).
    assert res['failed_on_survivors'] == 0, res['stats']
    assert res['failed_on_removed'] == 0, res['stats']
    assert res['retried_on_removed'] == 0, res['stats']
    assert res['workers_recovered'] == res['workers'], res
    amps = dep.cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                        lb['name'])
    got = sorted(a['role'] for a in amps if a['status'] not in steps.GONE)
    assert got == ['IN_CLUSTER'] * 2 + ['IN_CLUSTER_STANDBY'], amps
    res = steps.count_requests(dep, 200)
    assert res['ok'] == 200, res
    assert len(res['peers']) == 2, res


def test_d_rolling_failover_under_load(dep, lb):
    res = steps.failover_lb(dep, lb['id'])
    steps.log({k: v for k, v in res.items() if k != 'stats'})
    assert (res['replaced'], res['kept']) == (3, 0), res
    # Each amphora drained before it went: nothing failed, nothing had
    # to be retried, every connection is served again at the end.
    assert res['failed_requests'] == 0, res['stats']
    assert res['retried_requests'] == 0, res['stats']
    assert res['workers_recovered'] == res['workers'], res
    steps.wait_lb(dep, lb['id'], check=steps.cluster_is(2), timeout=60)


def test_e_kill_master_distributor_under_load(dep, lb):
    res = steps.kill_master_distributor(dep, lb['id'])
    steps.log(res)
    # The killed MASTER was the one holding the VIP.
    assert res['vip_holders_before'] == [res['master_namespace']], res
    assert res['failed_requests'] <= res['total_requests'] // 100, res
    # A short gap is allowed; afterwards every connection is answered.
    assert res['workers_recovered'] == res['workers'], res
    assert res['last_failure_ms'] < 5000, res
    assert res['max_gap_ms'] is not None and res['max_gap_ms'] < 5000, res
    res2 = steps.count_requests(dep, 100)
    assert res2['ok'] == 100, res2
    assert res['revived_s'] is not None, res


def test_f_cascade_delete_leaves_nothing(dep, lb):
    res = steps.delete_lb(dep, lb)
    # Before the delete, the detector saw the live load balancer: 3
    # namespaces (2+1 amphorae), their processes, veths, addresses, its
    # nftables objects in both distributors, its rows.
    assert res['before']['namespaces'] == 3, res['before']
    assert all(res['before'][k] > 0 for k in res['before']), res['before']
    assert res['leaks'] == {'namespaces': [], 'processes': {}, 'links': [],
                            'nftables': [], 'addresses': [], 'rows': {}}, \
        res['leaks']
    r = dep.cli.run('loadbalancer', 'show', lb['id'], ok=False)
    assert r.returncode != 0 or 'DELETED' in r.stdout, r.stdout
