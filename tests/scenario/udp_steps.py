"""UDP steps on a scenario deployment, shared by the ACTIVE_ACTIVE UDP
scenario test and the benchmarks: UDP member servers, a UDP listener
and pool made with the CLI, one UDP flow (socket) per client address,
an amphora killed under UDP flows."""
import json
import os
import subprocess
import time

from tests.scenario import deployment as D
from tests.scenario import steps

UDP_PORT = 5353
PROM_PORT = 9100
SOURCES = D.CLIENT_ADDRS[:24]


def start_members(dep):
    for i, ip in enumerate(dep.member_addresses()):
        proc = dep.spawn(dep.member_ns, [
            D.PY, os.path.join(D.HERE, os.pardir, 'amphora', 'udpserver.py'),
            ip, str(UDP_PORT), 'member%d' % (i + 1)],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        assert proc.stdout.readline().strip() == b'ready', ip


def add_listeners(dep, lb):
    """A UDP listener, pool (UDP-CONNECT monitor) and members, and a
    PROMETHEUS listener, on lb (steps.create_lb's)."""
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
    cli.run('loadbalancer', 'listener', 'create', '--name', 'metrics',
            '--protocol', 'PROMETHEUS', '--protocol-port', str(PROM_PORT),
            lb['name'], '--wait')


def flows(dep, duration, interval=0.05, timeout=0.3, during=None):
    """{source: [[t, answer]]} (udp_load.py), running during() meanwhile;
    returns (flows, what during returned)."""
    proc = dep.spawn(dep.client_ns, [
        D.PY, os.path.join(D.HERE, 'udp_load.py'), dep.vip, str(UDP_PORT),
        str(duration), str(interval), str(timeout)] + SOURCES,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout.readline().strip() == b'ready'
    extra = during() if during else None
    out, err = proc.communicate(timeout=duration + 60)
    assert proc.returncode == 0, err
    return json.loads(out), extra


def answers(got):
    return [a for seq in got.values() for _, a in seq]


def rps(got, duration):
    return round(sum(1 for a in answers(got) if a != 'lost') / duration)


def kill_amphora(dep, lb_id, duration=6, settle=2):
    """One IN_CLUSTER amphora killed (silent) under one UDP flow per
    client address.  moved: flows of the victim answered by another
    amphora at the end; failed_elsewhere: datagrams of the other flows
    lost or answered by another amphora after the kill."""
    steps.steady(dep, lb_id)
    box = {}

    def kill():
        time.sleep(settle)
        _, addr, _, t_kill = steps._kill_one(dep, lb_id, D.Deployment.SILENT)
        box.update(addr=addr, t=t_kill)
    got, _ = flows(dep, duration, during=kill)
    t_kill, victim = box['t'], box['addr']
    elsewhere = moved = lost_on_victim = 0
    serving, stuck = set(), []
    for src, seq in got.items():
        before = [a.split()[1] for t, a in seq if t < t_kill and a != 'lost']
        home = before[-1]
        after = [a for t, a in seq if t >= t_kill]
        if home != victim:
            elsewhere += sum(1 for a in after if a == 'lost' or
                             a.split()[1] != home)
        elif after[-1] != 'lost' and after[-1].split()[1] != victim:
            moved += 1
            lost_on_victim += after.count('lost')
        else:
            stuck.append(src)
        if after[-1] != 'lost':
            serving.add(after[-1].split()[1])
    return {'victim': victim, 'moved': moved, 'stuck': stuck,
            'failed_elsewhere': elsewhere, 'lost_on_victim': lost_on_victim,
            'serving_after': sorted(serving)}


def to_amphora(dep, amp):
    """Client traffic to the VIP straight to one amphora's MAC (no
    distributor), as a distributor would forward it; undo() restores."""
    ns = dep.namespace(amp['compute_id'])
    out = D.sh('ip', '-n', ns, '-j', 'addr', 'show').stdout
    mac = next(i['address'] for i in json.loads(out)
               if i['ifname'] != 'lo' and any(
                   a['local'].startswith('198.51.100.')
                   for a in i.get('addr_info', [])))
    D.sh('ip', 'neigh', 'replace', dep.vip, 'lladdr', mac, 'dev', 'eth0',
         'nud', 'permanent', ns=dep.client_ns)

    def undo():
        D.sh('ip', 'neigh', 'del', dep.vip, 'dev', 'eth0',
             ns=dep.client_ns, check=False)
    return undo


def scrape(dep, src):
    return D.sh('curl', '-s', '-m', '5', '--interface', src,
                'http://%s:%d/metrics' % (dep.vip, PROM_PORT),
                ns=dep.client_ns, check=False).stdout
