"""Forwarding through the distributor, with real traffic in namespaces."""
import re
import time

import pytest

from tests.distributor import lab as lab_mod
from tests.distributor.conftest import Bed

VIP = lab_mod.VIP


def _names(lab, ns, n=45):
    return [lab.fetch(ns) for _ in range(n)]


def test_every_amphora_serves_and_replies_bypass_the_distributor(lab, bed):
    bed.plug()
    bed.register(bed.amps)
    dist_mac = bed.dist_macs['eth0']
    # Replies from the VIP must never reach the distributor ...
    lab_mod.count_table(bed.dist_ns, 'eth0', 'ip saddr %s' % VIP)
    # ... and the client sees them coming straight from the amphorae.
    lab_mod.count_table(bed.client, 'eth0', 'ip saddr %s ether saddr %s'
                        % (VIP, dist_mac))
    lab_mod.count_table(bed.client, 'eth0', 'ip saddr %s' % VIP,
                        name='testall')
    names = _names(lab, bed.client)
    assert set(names) == {'amp1', 'amp2', 'amp3'}
    assert lab_mod.arp_answers(bed.client, VIP) == {dist_mac}
    assert lab_mod.counted(bed.dist_ns) == [0]
    assert lab_mod.counted(bed.client) == [0]
    assert lab_mod.counted(bed.client, 'testall')[0] >= 45 * 4
    status = bed.agent.ok('GET', '/v1/loadbalancers/%s' % bed.lb)
    assert status['counters']['packets'] >= 45 * 4
    assert {a['probes']['ok'] > 0 for a in status['amphorae']} == {True}


def test_source_ip_affinity_keeps_a_client_on_one_amphora(lab, bed):
    bed.plug(affinity='SOURCE_IP')
    bed.register(bed.amps)
    assert len(set(_names(lab, bed.client, 15))) == 1


def _drain(bed, amp):
    return bed.agent.ok('PUT', '/v1/loadbalancers/%s/amphorae/%s/drain'
                        % (bed.lb, amp['id']))


def test_keepalive_connection_stays_on_its_amphora(lab, bed):
    bed.plug()
    bed.register(bed.amps[:2])
    conn = lab.connect(bed.client)
    mine = lab.get(conn)
    by_name = {a['name']: a for a in bed.amps}
    # Added: amp3 takes ~1/3 of the slots; our connection does not move.
    bed.register(bed.amps)
    assert [lab.get(conn) for _ in range(5)] == [mine] * 5
    others = [a for a in bed.amps if a['name'] != mine]
    # Drained: no new flow reaches it, established ones are untouched.
    _drain(bed, others[0])
    assert others[0]['name'] not in _names(lab, bed.client, 30)
    assert [lab.get(conn) for _ in range(5)] == [mine] * 5
    # Removed.
    bed.agent.ok('POST', '/v1/loadbalancers/%s/amphorae/unregister'
                 % bed.lb, {'amphora_ids': [others[0]['id']]})
    assert [lab.get(conn) for _ in range(5)] == [mine] * 5
    # Our own amphora drained: its slots move, the pinned flow stays.
    answer = _drain(bed, by_name[mine])
    assert [a['slots'] for a in answer['amphorae']
            if a['id'] == by_name[mine]['id']] == [0]
    assert set(_names(lab, bed.client, 20)) == {others[1]['name']}
    assert [lab.get(conn) for _ in range(5)] == [mine] * 5
    conn.close()


def test_busy_pinned_flow_outlives_flow_timeout(lab, pki):
    timeout = 2
    bed = Bed(lab, pki, extra={'distributor_agent': {
        'flow_timeout': str(timeout)}})
    bed.agent.start()
    bed.plug()
    bed.register(bed.amps[:1])
    talk = lab_mod.Talkers(lab, bed.client, 12, interval=0.2)
    try:
        with talk:
            # Scale-up: amp2 and amp3 take about 2/3 of the slots; every
            # connection stays on amp1 by its pin, which must not expire
            # while the connection is busy.
            bed.register(bed.amps)
            time.sleep(3 * timeout)
        assert talk.broken == []
        assert talk.requests >= 12 * 20
        # The test means something only if some connection's slot moved:
        # without pins, such a connection reaches an amphora that knows
        # nothing of it (and resets it) or is answered by another one.
        out = lab_mod.sh('nft', 'list', 'ruleset', ns=bed.dist_ns)
        flows = re.search(r'map (flows_\w+)', out).group(1)
        lab_mod.sh('nft', 'flush', 'map', 'netdev', 'oaa_eth0', flows,
                   ns=bed.dist_ns)
        moved = 0
        for conn in talk.conns:
            try:
                moved += lab.get(conn) != 'amp1'
            except Exception:
                moved += 1
        assert moved >= 1
    finally:
        talk.close()


def test_unplugged_vip_is_never_answered(lab, bed):
    bed.plug()
    bed.register(bed.amps)
    assert lab_mod.arp_answers(bed.client, VIP) == {bed.dist_macs['eth0']}
    assert lab.fetch(bed.client)
    bed.agent.ok('DELETE', '/v1/loadbalancers/%s/vip' % bed.lb)
    lab_mod.sh('ip', 'neigh', 'flush', 'dev', 'eth0', ns=bed.client)
    assert lab_mod.arp_answers(bed.client, VIP, count=3) == set()
    assert 'oaa_' not in lab_mod.sh('nft', 'list', 'ruleset',
                                    ns=bed.dist_ns)
    with pytest.raises(OSError):
        lab.fetch(bed.client, timeout=1)


def test_load_balancers_are_isolated(lab, pki):
    bed = Bed(lab, pki, amphorae=1)
    # A second VIP network: its own bridge, client, amphora, and a second
    # distributor interface.
    lab_mod.sh('ip', 'link', 'set', 'eth0', 'down', ns=bed.dist_ns)
    vip2 = '198.51.100.20'
    lab.bridge('fe2')
    port = 'pz%s' % lab.prefix[-4:]
    lab_mod.sh('ip', 'link', 'add', port, 'netns', lab.sw, 'type', 'veth',
               'peer', 'name', 'eth2', 'netns', bed.dist_ns)
    lab_mod.sh('ip', 'link', 'set', port, 'master', 'fe2', 'up', ns=lab.sw)
    lab_mod.sh('ip', 'link', 'set', 'eth2', 'address', '02:ee:00:00:00:03',
               ns=bed.dist_ns)
    lab_mod.sh('ip', 'link', 'set', 'eth2', 'up', ns=bed.dist_ns)
    lab_mod.sh('ip', 'link', 'set', 'eth0', 'up', ns=bed.dist_ns)
    client2, _ = lab.node('cli2', [('eth0', 'fe2', '198.51.100.102/24')])
    amp2 = lab.amphora('other', '198.51.100.111', vip=vip2, bridge='fe2')
    bed.agent.start()
    bed.plug()
    bed.register(bed.amps)
    lb2 = bed.lb + '-2'
    bed.agent.ok('PUT', '/v1/loadbalancers/%s/vip' % lb2,
                 {'vip_address': vip2, 'interface': 'eth2'})
    bed.agent.ok('PUT', '/v1/loadbalancers/%s/amphorae' % lb2, {
        'amphorae': [{'id': amp2['id'], 'mac': amp2['mac'],
                      'ip': amp2['ip']}]})
    assert set(_names(lab, bed.client, 5)) == {'amp1'}
    assert lab.fetch(client2, host=vip2) == 'other'
    # Count every frame for either VIP arriving at the "wrong" amphora.
    lab_mod.count_table(bed.amps[0]['ns'], 'eth0', 'ip daddr %s' % vip2)
    lab_mod.count_table(amp2['ns'], 'eth0', 'ip daddr %s' % VIP)
    # Client 1 aims VIP2 at the distributor's eth0 by hand: the eth0 table
    # knows nothing of VIP2, so nothing may leave on eth2 (or eth0).
    lab_mod.sh('ip', 'neigh', 'replace', vip2, 'lladdr',
               bed.dist_macs['eth0'], 'dev', 'eth0', 'nud', 'permanent',
               ns=bed.client)
    lab_mod.sh('ip', 'route', 'add', vip2 + '/32', 'dev', 'eth0',
               ns=bed.client)
    with pytest.raises(OSError):
        lab.fetch(bed.client, host=vip2, timeout=1)
    assert lab.fetch(client2, host=vip2) == 'other'
    assert lab.fetch(bed.client) == 'amp1'
    assert lab_mod.counted(bed.amps[0]['ns']) == [0]
    assert lab_mod.counted(amp2['ns']) == [0]
    status = bed.agent.ok('GET', '/v1/loadbalancers/%s' % lb2)
    assert status['interface'] == 'eth2'


def test_ipv6_vip_is_answered_in_nd_and_forwarded(lab, bed):
    vip6 = 'fd00:5::10'
    lab_mod.sh('ip', 'addr', 'add', 'fd00:5::2/64', 'dev', 'eth0', 'nodad',
               ns=bed.client)
    for i, amp in enumerate(bed.amps):
        lab_mod.sh('ip', 'addr', 'add', 'fd00:5::%d/64' % (11 + i), 'dev',
                   'eth0', 'nodad', ns=amp['ns'])
        lab_mod.sh('ip', 'addr', 'add', vip6 + '/128', 'dev', 'lo',
                   ns=amp['ns'])
    bed.plug(vip_address=vip6)
    bed.register(bed.amps)
    names = {lab.fetch(bed.client, host=vip6) for _ in range(30)}
    assert names == {'amp1', 'amp2', 'amp3'}
    neigh = lab_mod.sh('ip', '-6', 'neigh', 'show', vip6, ns=bed.client)
    assert bed.dist_macs['eth0'] in neigh
    bed.agent.ok('DELETE', '/v1/loadbalancers/%s/vip' % bed.lb)
    lab_mod.sh('ip', '-6', 'neigh', 'flush', 'dev', 'eth0', ns=bed.client)
    with pytest.raises(OSError):
        lab.fetch(bed.client, host=vip6, timeout=2)
    neigh = lab_mod.sh('ip', '-6', 'neigh', 'show', vip6, ns=bed.client)
    assert bed.dist_macs['eth0'] not in neigh
