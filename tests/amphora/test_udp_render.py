"""The UDP document (controller side) and its nftables rules (agent
side), checked by the kernel itself with ``nft -c`` (nothing is
changed), and the HAProxy side of UDP and PROMETHEUS listeners."""
import copy
import subprocess

import pytest

from octavia_aa.amphorae import udp_config
from octavia_aa.amphorae.backends.agent import udp
from octavia_aa.amphorae.haproxy import render
from tests.amphora import samples


def members(n=2, **kw):
    return [samples.member(i + 1, '203.0.113.%d' % (21 + i), port=53, **kw)
            for i in range(n)]


def config(algorithm='ROUND_ROBIN', sp=None, hm=None, vip=samples.VIP,
           mem=None):
    return samples.config(
        [samples.listener(1, protocol='UDP', port=53, pool=samples.P1),
         samples.listener(2, protocol='PROMETHEUS', port=9100),
         samples.listener(3, protocol='HTTP', port=80)],
        [samples.pool(1, protocol='UDP', algorithm=algorithm,
                      members=mem or members(), sp=sp, hm=hm)], vip=vip)


def nft_check(commands):
    r = subprocess.run(['nft', '-c', '-f', '-'], input='\n'.join(commands),
                       capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + '\n'.join(commands)


def test_document_has_the_udp_listeners_only():
    doc = udp_config.build(config(hm=samples.monitor('UDP-CONNECT')))
    assert [lst['port'] for lst in doc['listeners']] == [53]
    pool = doc['listeners'][0]['pool']
    assert [m['address'] for m in pool['members']] == ['203.0.113.21',
                                                       '203.0.113.22']
    assert pool['monitor']['type'] == 'UDP-CONNECT'
    assert pool['persistence'] is None
    assert udp_config.build(samples.config(
        [samples.listener(1)], []))['listeners'] == []


def test_source_ip_persistence_defaults_to_upstreams_360_s():
    doc = udp_config.build(config(sp={'type': 'SOURCE_IP'}))
    assert doc['listeners'][0]['pool']['persistence'] == {
        'timeout': 360, 'granularity': None}


def test_weighted_slots_are_spread_in_proportion():
    a, b, c = ({'id': x, 'weight': w} for x, w in (('a', 3), ('b', 1),
                                                   ('c', 0)))
    slots = [m['id'] for m in udp.slot_list([a, b, c])]
    # Interleaved (smooth weighted round robin), not a run of a's.
    assert slots == ['a', 'a', 'b', 'a']
    big = [{'id': str(i), 'weight': 256} for i in range(3)] + [
        {'id': 'one', 'weight': 1}]
    slots = udp.slot_list(big)
    assert len(slots) <= udp.MAX_SLOTS and 'one' in [m['id'] for m in slots]


def test_backups_serve_only_without_a_live_primary():
    pool = {'enabled': True, 'members': [
        {'id': 'p', 'weight': 1}, {'id': 'b', 'weight': 1, 'backup': True},
        {'id': 'off', 'weight': 1, 'enabled': False}]}
    assert [m['id'] for m in udp.live_members(pool, {})] == ['p']
    assert [m['id'] for m in udp.live_members(pool, {'p': udp.DOWN})] == \
        ['b']
    assert udp.live_members(dict(pool, enabled=False), {}) == []


@pytest.mark.parametrize('case', ['rr', 'source', 'persist', 'granularity',
                                  'ipv6', 'all-down', 'disabled', 'cidrs'])
def test_rules_are_accepted_by_the_kernel(case):
    cfg = {'rr': lambda: config(),
           'source': lambda: config('SOURCE_IP'),
           'persist': lambda: config('SOURCE_IP', {
               'type': 'SOURCE_IP', 'persistence_timeout': 30}),
           'granularity': lambda: config('ROUND_ROBIN', {
               'type': 'SOURCE_IP', 'persistence_timeout': 30,
               'persistence_granularity': '255.255.255.0'}),
           'ipv6': lambda: config(vip='2001:db8::10', mem=[
               samples.member(1, '2001:db8:1::21', port=53)]),
           'all-down': lambda: config(),
           'disabled': lambda: config(),
           'cidrs': lambda: config()}[case]()
    if case == 'cidrs':
        cfg['listeners'][0]['allowed_cidrs'] = ['192.0.2.0/24',
                                                '2001:db8::/32']
        cfg['listeners'][0]['connection_limit'] = 100
    doc = udp_config.build(cfg)
    if case == 'disabled':
        doc['listeners'][0]['enabled'] = False
    status = {m['id']: udp.DOWN for m in doc['listeners'][0]['pool'][
        'members']} if case == 'all-down' else {}
    commands = udp.full(samples.LB, doc, status)
    nft_check(commands)
    text = '\n'.join(commands)
    if case == 'disabled':
        assert 'vmap' not in text
    if case == 'all-down':
        assert 'slots_' in text and 'add element ip %s slots' % \
            udp.table_name(samples.LB) not in text
    if case == 'cidrs':
        assert 'ip saddr != { 192.0.2.0/24 } drop' in text
        assert 'ct count over 100 drop' in text
    if case == 'source':
        assert 'jhash ip saddr mod 2' in text
    if case == 'ipv6':
        assert 'dnat ip6 addr . port' in text
    # A health change rewrites the rules only, on the same table.
    nft_check(commands + udp.rules(samples.LB, doc, {}))


def test_haproxy_leaves_udp_pools_out_and_serves_prometheus():
    text = render.render_config(copy.deepcopy(config()), samples.AMP)
    assert samples.P1 not in text
    front = text.split('frontend %s' % samples.listener(2)['id'])[1]
    front = front.split('\nfrontend')[0]
    assert 'use-service prometheus-exporter if { path /metrics }' in front
    assert 'mode http' in front
    assert 'frontend %s' % samples.listener(1)['id'] not in text
