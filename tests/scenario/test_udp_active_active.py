"""UDP on ACTIVE_ACTIVE end to end: octavia-aa-all with the netns data
plane, a UDP listener and pool (UDP-CONNECT monitor) and a PROMETHEUS
listener made with the openstack CLI, UDP member servers that answer
with the address the datagram came from (the amphora's member address:
each amphora masquerades), and one UDP flow (one socket) per client
address through the distributor.  Every active amphora and every member
serve; an amphora killed moves only its own flows; a scrape through
the VIP returns HAProxy's metrics."""
import collections
import json
import os

import pytest

from tests.scenario import steps
from tests.scenario import udp_steps as U

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]


@pytest.fixture(scope='module')
def lb(dep):
    U.start_members(dep)
    lb = steps.create_lb(dep)
    U.add_listeners(dep, lb)
    return lb


def test_a_udp_members_online(dep, lb):
    steps.wait_lb(dep, lb['id'], check=steps.cluster_is(3), timeout=120,
                  what='LB ACTIVE/ONLINE with its UDP pool')
    status = json.loads(dep.cli.run('loadbalancer', 'status', 'show',
                                    lb['name']).stdout)
    udp = [lst for lst in status['loadbalancer']['listeners']
           if lst['name'] == 'dns'][0]
    members = udp['pools'][0]['members']
    assert {m['operating_status'] for m in members} == {'ONLINE'}, udp


def test_b_every_amphora_and_member_serves_udp(dep, lb):
    steps.steady(dep, lb['id'])
    got, _ = U.flows(dep, 2)
    answers = U.answers(got)
    assert 'lost' not in answers, collections.Counter(answers)
    amps = {a.split()[1] for a in answers}
    members = {a.split()[0] for a in answers}
    active = {dep.member_address(a) for a in steps.live(
        dep.amphorae(lb['id'])) if a['role'] == steps.IN_CLUSTER}
    assert amps == active, (amps, active)
    assert members == {'member%d' % (i + 1) for i in range(
        len(dep.member_addresses()))}
    # A flow (5-tuple) stays on its amphora.
    for src, seq in got.items():
        assert len({a.split()[1] for _, a in seq}) == 1, (src, seq[:5])


def test_b_prometheus_scrape_through_the_vip(dep, lb):
    """A scrape through the VIP reaches one amphora (the distributor
    hashes the client like any flow) and returns its HAProxy metrics."""
    for src in U.SOURCES[:4]:
        text = U.scrape(dep, src)
        assert 'haproxy_process_' in text and 'haproxy_frontend_' in text


def test_c_amphora_killed_moves_only_its_flows(dep, lb):
    kill = U.kill_amphora(dep, lb['id'])
    steps.log('udp kill', kill)
    assert kill['moved'] > 0 and not kill['stuck'], kill
    # Not one datagram of another amphora's flow lost or moved.
    assert kill['failed_elsewhere'] == 0, kill
    # The victim's flows went to the standby (the "+1").
    assert kill['victim'] not in kill['serving_after']


def test_d_delete(dep, lb):
    assert steps.delete_lb(dep, lb)['leaked'] == 0
