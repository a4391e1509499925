"""ACTIVE_STANDBY end to end on the netns data plane: octavia-aa-all, the
openstack CLI, two amphorae whose agents run keepalived (VRRPv3, unicast
to the peer, sub-second adverts) and HAProxy, real keep-alive traffic
from a client namespace.

In order on one load balancer: create (a), traffic through the MASTER
only (b), the MASTER amphora killed under load: the BACKUP takes the VIP
in under a second and a new BACKUP is built (c), traffic again and a
rolling failover under load (d), HAProxy killed on the MASTER: the
VIP moves (e), cascade delete (f).
"""
import os

import pytest

from tests.scenario import standby_steps as S
from tests.scenario import steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]


@pytest.fixture(scope='module')
def lb(dep):
    return S.create_lb(dep)


def test_a_create(dep, lb):
    steps.wait_lb(dep, lb['id'], check=S.pair_ready, timeout=90,
                  what='LB ACTIVE/ONLINE with MASTER and BACKUP')
    amps = dep.cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                        lb['name'])
    assert sorted(a['role'] for a in steps.live(amps)) == ['BACKUP',
                                                           'MASTER']
    # keepalived put the VIP on one amphora only, the MASTER (highest
    # priority, both started as BACKUP).
    holders = S.vip_holders(dep, lb['id'])
    assert [a['role'] for a in holders] == ['MASTER'], holders


def test_b_traffic_through_the_master_only(dep, lb):
    res = steps.count_requests(dep, 200)
    assert res['ok'] == 200 and res['failed'] == 0, res
    master = S.vip_holders(dep, lb['id'])[0]
    assert set(res['peers']) == {dep.member_address(master)}, res
    assert res['members'] == ['member1', 'member2', 'member3']


def test_c_kill_master_under_load(dep, lb):
    res = S.kill_master(dep, lb['id'])
    steps.log(res)
    assert res['victim_role'] == 'MASTER', res
    # The survivor took the VIP over, sub-second (upstream: ~3.65 s).
    assert res['vip_moved_ms'] is not None and res['vip_moved_ms'] < 1000, \
        res
    assert res['takeover_ms'] < 1000, res
    # Requests in flight on the dead MASTER are reset by the survivor
    # and retried on a new connection; none may fail outright.
    assert res['failed_requests'] == 0, res['failures_sample']
    assert res['workers_recovered'] == res['workers'], res
    # A new amphora replaced the victim; the survivor kept the VIP.
    assert res['replaced_s'] is not None, res['statuses']
    assert res['victim'] not in [i for i, _ in res['amphorae_after']]
    assert res['survivor'] in [i for i, _ in res['amphorae_after']]
    assert res['vip_holders_after'] == [res['survivor']], res
    # The roles follow the VIP: the survivor is MASTER, the new BACKUP.
    assert dict(res['amphorae_after'])[res['survivor']] == 'MASTER', res
    assert res['victim_namespace'] not in dep.prefix_namespaces()


def test_d_traffic_after_replacement(dep, lb):
    res = steps.count_requests(dep, 100)
    assert res['ok'] == 100 and res['failed'] == 0, res
    holder = S.vip_holders(dep, lb['id'])
    assert len(holder) == 1
    assert set(res['peers']) == {dep.member_address(holder[0])}, res


def test_d_rolling_failover_under_load(dep, lb):
    res = steps.failover_lb(dep, lb['id'])
    steps.log({k: v for k, v in res.items() if k != 'stats'})
    # Which amphora's connections were reset, and when (every VIP move
    # resets the connections of the amphora it leaves).
    steps.log({a: (s['retried'], s['connections'])
               for a, s in res['stats'].items()})
    assert (res['replaced'], res['kept']) == (2, 0), res
    # The BACKUP goes first; the MASTER then stops its keepalived before
    # it is deleted, so the new BACKUP takes over at once: connections
    # are reset (and retried), no request fails.
    assert res['failed_requests'] == 0, res['stats']
    assert res['workers_recovered'] == res['workers'], res
    # The VIP moved once (BACKUP replaced first, then the MASTER): only
    # the old MASTER's connections were reset.
    assert len([s for s in res['stats'].values() if s['retried']]) <= 1, \
        res['stats']
    steps.wait_lb(dep, lb['id'], check=S.pair_ready, timeout=60)
    assert [a['role'] for a in S.vip_holders(dep, lb['id'])] == ['MASTER']


def test_e_haproxy_death_moves_the_vip(dep, lb):
    # keepalived's check script (fall 2 x 1 s): the VIP leaves an
    # amphora whose HAProxy is dead though the machine lives.
    victim, seconds, holders = S.kill_haproxy(dep, lb['id'])
    steps.log('VIP moved %.2f s after HAProxy died' % seconds)
    assert seconds < 10
    # HAProxy back: the amphora rejoins as BACKUP, the VIP stays.
    assert len(holders) == 1 and holders[0] != victim, holders
    res = steps.count_requests(dep, 50)
    assert res['ok'] == 50, res


def test_f_cascade_delete_leaves_nothing(dep, lb):
    res = steps.delete_lb(dep, lb)
    assert res['leaks'] == {'namespaces': [], 'processes': {}, 'links': [],
                            'nftables': [], 'addresses': [], 'rows': {}}, \
        res['leaks']
