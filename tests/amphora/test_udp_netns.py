"""UDP listeners for real: a netns amphora balances UDP datagrams of a
client namespace over two UDP member servers with nftables NAT, checks
the members itself and skips the one that is down; a PROMETHEUS
listener on the same amphora is scraped through the VIP."""
import os
import subprocess
import sys
import time

import pytest

from octavia_aa.common import heartbeat
from tests.amphora import bed as bedmod
from tests.amphora import samples

HERE = os.path.dirname(os.path.abspath(__file__))
UDP_PORT = 5353
PROM_PORT = 9100
CLIENT = r'''
import socket, sys
n, host, port = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
src = sys.argv[4] if len(sys.argv) > 4 else None
for i in range(n):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    if src:
        s.bind((src, 0))
    s.settimeout(1.0)
    s.sendto(b'hello', (host, port))
    try:
        print(s.recv(2048).decode())
    except socket.timeout:
        print('timeout')
    s.close()
'''


def ask(bed, n=10, src=None):
    """n datagrams from n source ports; the answers (or 'timeout')."""
    args = [sys.executable, '-c', CLIENT, str(n), bedmod.VIP,
            str(UDP_PORT)] + ([src] if src else [])
    r = bedmod.sh(*args, ns=bed.client_ns)
    return r.stdout.split('\n')[:-1]


def udp_config(bed, algorithm='ROUND_ROBIN', sp=None, hm=None):
    members = [samples.member(i + 1, ip, port=UDP_PORT)
               for i, ip in enumerate(bedmod.MEMBER_IPS)]
    cfg = samples.config(
        [samples.listener(1, protocol='UDP', port=UDP_PORT, pool=samples.P1),
         samples.listener(2, protocol='PROMETHEUS', port=PROM_PORT)],
        [samples.pool(1, protocol='UDP', algorithm=algorithm,
                      members=members, sp=sp, hm=hm)])
    cfg['load_balancer']['id'] = bed.amp.load_balancer_id
    return cfg


UDP_CONNECT = samples.monitor('UDP-CONNECT', delay=0.2, timeout=0.2,
                              max_retries=1, max_retries_down=2)


@pytest.fixture(scope='module')
def udp_bed(bed):
    bed.udp_servers = {}
    # Probes every 0.2 s (the API's minimum is 3 s) would outrun the
    # member kernel's ICMP rate limit, which then hides a dead member
    # for a while; with the API's delays the budget refills between two.
    bedmod.sh('sysctl', '-qw', 'net.ipv4.icmp_ratelimit=0', ns=bed.member_ns)
    for i, ip in enumerate(bedmod.MEMBER_IPS):
        start_member(bed, i)
    bedmod.sh('ip', 'neigh', 'replace', bedmod.VIP, 'lladdr',
              bed.amp.frontend_mac, 'dev', bed.client_port['interface'],
              'nud', 'permanent', ns=bed.client_ns)
    bed.amp_driver.update_config(bed.amp, udp_config(bed, hm=UDP_CONNECT))
    return bed


def amp_ns(bed):
    return bed.compute._namespace(bed.amp.compute_id)


def start_member(bed, i):
    proc = bed.spawn(bed.member_ns, [
        sys.executable, os.path.join(HERE, 'udpserver.py'),
        bedmod.MEMBER_IPS[i], str(UDP_PORT), 'member%d' % (i + 1)],
        stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == 'ready'
    bed.udp_servers[i] = proc


def test_datagrams_reach_every_member_through_the_vip(udp_bed):
    answers = ask(udp_bed, 10)
    names = [a.split()[0] for a in answers]
    assert 'timeout' not in names
    # Round robin: each member gets half of the new flows.
    assert names.count('member1') == names.count('member2') == 5, answers
    # The members see the amphora (masquerade), so replies come back
    # through it and leave from the VIP.
    peers = {a.split()[1] for a in answers}
    assert len(peers) == 1 and peers.pop().startswith('203.0.113.'), answers


def test_the_agent_stores_and_returns_the_document(udp_bed):
    doc = udp_bed.amp_driver._call(
        'GET', udp_bed.amp, 'loadbalancers/%s/udp'
        % udp_bed.amp.load_balancer_id)
    assert [m['address'] for m in doc['listeners'][0]['pool']['members']] \
        == list(bedmod.MEMBER_IPS)


def test_a_member_taken_down_is_marked_and_skipped(udp_bed,
                                                   heartbeat_socket):
    bed = udp_bed
    receiver = heartbeat.HeartbeatReceiver(bed.heartbeat_key,
                                           sock=heartbeat_socket)
    bed.amp_driver.update_agent_config(bed.amp, {
        'controller_ip_port_list': ['%s:%d' % (bed.mgmt_gw, bed.hb_port)],
        'heartbeat_interval': 0.2, 'heartbeat_key': bed.heartbeat_key})
    m1, m2 = (samples.member(i, '')['id'] for i in (1, 2))

    def members():
        got = receiver.receive(timeout=1)
        pools = (got[0].get('pools') or {}) if got else {}
        return pools.get(samples.P1, {}).get('members')
    try:
        bedmod.wait_for(lambda: members() == {m1: 'UP', m2: 'UP'},
                        what='both members UP')
        victim = bed.udp_servers.pop(1)
        victim.kill()
        victim.wait()
        bedmod.wait_for(lambda: members() == {m1: 'UP', m2: 'DOWN'},
                        timeout=10, what='member2 DOWN in a heartbeat')
        answers = ask(bed, 6)
        assert [a.split()[0] for a in answers] == ['member1'] * 6, answers
        lid = samples.listener(1)['id']

        def flows_counted():
            got = receiver.receive(timeout=1)
            lst = (got[0].get('listeners') or {}).get(lid) if got else None
            return lst and lst['status'] == 'OPEN' and \
                lst['stats']['totconns'] > 0
        # The UDP listener is in the heartbeat with the flows it started.
        bedmod.wait_for(flows_counted, timeout=10, what='UDP flows counted')
        start_member(bed, 1)
        bedmod.wait_for(lambda: members() == {m1: 'UP', m2: 'UP'},
                        timeout=10, what='member2 back UP')
        names = [a.split()[0] for a in ask(bed, 6)]
        assert names.count('member2') == 3, names
    finally:
        bed.amp_driver.update_agent_config(bed.amp,
                                           {'controller_ip_port_list': []})


def test_a_flow_to_a_dead_member_moves_to_a_live_one(udp_bed):
    """One client socket (one 5-tuple) pinned to member2 by conntrack:
    when member2 goes down its conntrack entries are deleted, so the
    same flow's next datagram reaches member1."""
    bed = udp_bed
    code = r'''
import socket, sys, time
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.settimeout(0.5)
target = (sys.argv[1], int(sys.argv[2]))
first = None
for i in range(200):
    s.sendto(b'x', target)
    try:
        name = s.recv(2048).decode().split()[0]
    except (socket.timeout, ConnectionRefusedError):
        name = 'lost'
    first = first or name
    print(name, flush=True)
    if first != name and name != 'lost':
        break
    time.sleep(0.1)
'''
    # Find a flow on member2: a fresh socket per try.
    proc = bed.spawn(bed.client_ns, [sys.executable, '-c', code,
                                     bedmod.VIP, str(UDP_PORT)],
                     stdout=subprocess.PIPE, text=True)
    first = proc.stdout.readline().strip()
    victim_index = 0 if first == 'member1' else 1
    victim = bed.udp_servers.pop(victim_index)
    victim.kill()
    victim.wait()
    t0 = time.monotonic()
    out, _ = proc.communicate(timeout=60)
    moved_after = time.monotonic() - t0
    names = out.split()
    survivor = 'member%d' % (2 - victim_index)
    assert names[-1] == survivor, names
    assert moved_after < 5, moved_after
    start_member(bed, victim_index)


def test_tcp_and_http_monitors_check_udp_members_elsewhere(udp_bed):
    """Upstream allows TCP and HTTP monitors on UDP pools: the member's
    monitor_port (here the members' HTTP servers on 8080) is checked."""
    bed = udp_bed

    def push(hm, port):
        cfg = udp_config(bed, hm=hm)
        for m in cfg['pools'][0]['members']:
            m['monitor_port'] = port
        bed.amp_driver.update_config(bed.amp, cfg)
    fast = {'delay': 0.2, 'timeout': 0.5, 'max_retries': 1,
            'max_retries_down': 1}
    try:
        # Nothing listens on TCP 9: both members DOWN, datagrams dropped.
        push(samples.monitor('TCP', **fast), 9)
        bedmod.wait_for(lambda: ask(bed, 2) == ['timeout'] * 2,
                        timeout=10, what='both members DOWN')
        push(samples.monitor('HTTP', url_path='/', expected_codes='200',
                             **fast), 8080)
        bedmod.wait_for(lambda: 'timeout' not in ask(bed, 2), timeout=10,
                        what='members UP by HTTP')
        push(samples.monitor('HTTP', url_path='/', expected_codes='404',
                             **fast), 8080)
        bedmod.wait_for(lambda: ask(bed, 2) == ['timeout'] * 2,
                        timeout=10, what='members DOWN: 200 is not 404')
    finally:
        bed.amp_driver.update_config(bed.amp, udp_config(bed,
                                                         hm=UDP_CONNECT))


def test_source_ip_persistence_keeps_a_client_on_one_member(udp_bed):
    bed = udp_bed
    bed.amp_driver.update_config(bed.amp, udp_config(
        bed, algorithm='SOURCE_IP', sp={'type': 'SOURCE_IP',
                                        'persistence_timeout': 60},
        hm=UDP_CONNECT))
    first = {a.split()[0] for a in ask(bed, 8)}
    assert len(first) == 1, first
    # A second client address hashes on its own; it too stays put.
    bedmod.sh('ip', 'addr', 'add', '198.51.100.77/24', 'dev',
              bed.client_port['interface'], ns=bed.client_ns)
    other = {a.split()[0] for a in ask(bed, 8, src='198.51.100.77')}
    assert len(other) == 1, other
    table = bedmod.sh('nft', 'list', 'ruleset', ns=amp_ns(bed)).stdout
    assert 'persist_' in table and 'expires' in table


def test_allowed_cidrs_refuse_other_clients(udp_bed):
    """Runs after the persistence test, which added 198.51.100.77."""
    bed = udp_bed
    cfg = udp_config(bed, hm=UDP_CONNECT)
    cfg['listeners'][0]['allowed_cidrs'] = ['198.51.100.77/32']
    bed.amp_driver.update_config(bed.amp, cfg)
    try:
        assert ask(bed, 2) == ['timeout'] * 2
        assert 'timeout' not in ask(bed, 2, src='198.51.100.77')
    finally:
        bed.amp_driver.update_config(bed.amp, udp_config(bed,
                                                         hm=UDP_CONNECT))


def test_connection_limit_bounds_the_flows_at_once(udp_bed):
    """connection_limit 2: of 4 flows (4 sockets, their conntrack
    entries alive for the UDP timeout) 2 are served."""
    bed = udp_bed
    cfg = udp_config(bed, hm=UDP_CONNECT)
    cfg['listeners'][0]['connection_limit'] = 2
    bed.amp_driver.update_config(bed.amp, cfg)
    try:
        answers = ask(bed, 4)
        assert answers.count('timeout') == 2, answers
    finally:
        bed.amp_driver.update_config(bed.amp, udp_config(bed,
                                                         hm=UDP_CONNECT))


def test_prometheus_listener_serves_haproxy_metrics_on_the_vip(udp_bed):
    r = bedmod.sh('curl', '-s', '-m', '5', 'http://%s:%d/metrics'
                  % (bedmod.VIP, PROM_PORT), ns=udp_bed.client_ns)
    assert 'haproxy_process_' in r.stdout
    assert 'haproxy_frontend_' in r.stdout
    # Anything else on that port is not the exporter.
    r = bedmod.sh('curl', '-s', '-o', '/dev/null', '-w', '%{http_code}',
                  '-m', '5', 'http://%s:%d/' % (bedmod.VIP, PROM_PORT),
                  ns=udp_bed.client_ns)
    assert r.stdout == '404'


def test_a_restarted_agent_serves_and_probes_again(udp_bed):
    bed = udp_bed
    pid = bed.compute._agent_pid(bed.amp.compute_id)
    os.kill(pid, 9)
    bedmod.wait_for(lambda: bed.compute._agent_pid(bed.amp.compute_id)
                    not in (None, pid), what='agent restarted')
    bed.amp_driver.wait_for_agent(bed.amp)
    assert 'timeout' not in ask(bed, 4)
    # Its prober runs again: a member killed now is skipped.
    victim = bed.udp_servers.pop(0)
    victim.kill()
    victim.wait()
    try:
        bedmod.wait_for(lambda: [a.split()[0] for a in ask(bed, 4)] ==
                        ['member2'] * 4, timeout=15,
                        what='member1 skipped after the restart')
    finally:
        start_member(bed, 0)


def test_removing_the_udp_listeners_removes_the_table(udp_bed):
    bed = udp_bed
    cfg = udp_config(bed)
    cfg['listeners'] = cfg['listeners'][1:]
    cfg['pools'] = []
    bed.amp_driver.update_config(bed.amp, cfg)
    table = bedmod.sh('nft', 'list', 'tables', ns=amp_ns(bed)).stdout
    assert 'oaa_udp_' not in table
    assert ask(bed, 1) == ['timeout']
