"""UDP on ACTIVE_ACTIVE end to end: octavia-aa-all with the netns data
plane, a UDP listener and pool (UDP-CONNECT monitor) made with the
openstack CLI, UDP member servers that answer with the address the
datagram came from (the amphora's member address: each amphora
masquerades), and one UDP flow (one socket) per client address through
the distributor.  Every active amphora and every member serve; an
amphora killed moves only its own flows."""
import collections
import json
import os
import subprocess
import time

import pytest

from tests.scenario import deployment as D
from tests.scenario import steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]
UDP_PORT = 5353
SOURCES = D.CLIENT_ADDRS[:24]


@pytest.fixture(scope='module')
def lb(dep):
    for i, ip in enumerate(dep.member_addresses()):
        proc = dep.spawn(dep.member_ns, [
            D.PY, os.path.join(D.HERE, os.pardir, 'amphora', 'udpserver.py'),
            ip, str(UDP_PORT), 'member%d' % (i + 1)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout.readline().strip() == b'ready', ip
    lb = steps.create_lb(dep)
    cli = dep.cli
    cli.run('loadbalancer', 'listener', 'create', '--name', 'dns',
            '--protocol', 'UDP', '--protocol-port', str(UDP_PORT),
            lb['name'], '--wait')
    cli.run('loadbalancer', 'pool', 'create', '--name', 'udppool',
            '--listener', 'dns', '--protocol', 'UDP', '--lb-algorithm',
            'ROUND_ROBIN', '--wait')
    for ip in dep.member_addresses():
        cli.run('loadbalancer', 'member', 'create', '--subnet-id',
                D.MEMBER_SUBNET, '--address', ip, '--protocol-port',
                str(UDP_PORT), 'udppool', '--wait')
    cli.run('loadbalancer', 'healthmonitor', 'create', '--type',
            'UDP-CONNECT', '--delay', '3', '--timeout', '1',
            '--max-retries', '2', 'udppool', '--wait')
    return lb


def flows(dep, duration, interval=0.05, timeout=0.3, during=None):
    proc = dep.spawn(dep.client_ns, [
        D.PY, os.path.join(D.HERE, 'udp_load.py'), dep.vip, str(UDP_PORT),
        str(duration), str(interval), str(timeout)] + SOURCES,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b'ready'
    extra = during() if during else None
    out, err = proc.communicate(timeout=duration + 60)
    assert proc.returncode == 0, err
    return json.loads(out), extra


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
    got, _ = flows(dep, 2)
    answers = [a for seq in got.values() for _, a in seq]
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


def test_c_amphora_killed_moves_only_its_flows(dep, lb):
    steps.steady(dep, lb['id'])
    box = {}

    def kill():
        time.sleep(2)
        victim, addr, _, t_kill = steps._kill_one(dep, lb['id'],
                                                  D.Deployment.SILENT)
        box.update(addr=addr, t=t_kill)
    got, _ = flows(dep, 6, during=kill)
    t_kill, victim = box['t'], box['addr']
    elsewhere = moved = 0
    serving = set()
    for src, seq in got.items():
        before = [a.split()[1] for t, a in seq if t < t_kill and a != 'lost']
        home = before[-1]
        after = [a for t, a in seq if t >= t_kill]
        if home != victim:
            # Not one datagram of another amphora's flow lost or moved.
            elsewhere += sum(1 for a in after if a == 'lost' or
                             a.split()[1] != home)
        else:
            last = after[-1]
            assert last != 'lost' and last.split()[1] != victim, (src,
                                                                  after)
            moved += 1
        serving.add(after[-1].split()[1])
    steps.log('udp kill: %d flows moved, %d failed elsewhere'
              % (moved, elsewhere))
    assert moved > 0
    assert elsewhere == 0
    # The victim's flows went to the standby (the "+1"), the others
    # stayed where they were.
    assert victim not in serving


def test_d_delete(dep, lb):
    assert steps.delete_lb(dep, lb)['leaked'] == 0
