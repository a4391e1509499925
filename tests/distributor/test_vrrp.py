"""Two distributors, keepalived VRRPv3, real failures."""
import os
import signal
import threading
import time

from tests.distributor import lab as lab_mod

VIP = lab_mod.VIP


def _tables(ns):
    out = lab_mod.sh('nft', 'list', 'ruleset', ns=ns)
    # Only the slot maps: the MACs of the two distributors differ.
    return [line for line in out.splitlines() if ' : ' in line
            and 'elements' in line or line.startswith('\t\t\t     0x')]


def test_killing_the_master_moves_the_vip_and_keeps_connections(lab, pair):
    d1_mac, d2_mac = pair.dist_macs['eth0'], pair.d2_macs['eth0']
    assert lab_mod.arp_answers(pair.client, VIP) == {d1_mac}
    assert _tables(pair.dist_ns) == _tables(pair.d2_ns)
    conns = []
    for _ in range(12):
        conn = lab.connect(pair.client, timeout=10)
        conns.append((conn, lab.get(conn)))
    assert len({name for _, name in conns}) > 1
    errors, done, stop = [], [0], threading.Event()

    def load():
        while not stop.is_set():
            for conn, name in conns:
                try:
                    got = lab.get(conn)
                except Exception as exc:
                    errors.append(repr(exc))
                    return
                if got != name:
                    errors.append('%s moved to %s' % (name, got))
                done[0] += 1

    t = threading.Thread(target=load)
    t.start()
    try:
        time.sleep(0.5)
        # The master node dies: every process in it, and its link.
        for pid in lab.pids(pair.dist_ns):
            os.kill(pid, signal.SIGKILL)
        lab_mod.sh('ip', 'link', 'set', 'eth0', 'down', ns=pair.dist_ns)
        lab_mod.wait_for(lambda: pair.vrrp_state(pair.agent2) == 'MASTER',
                         timeout=10, what='d2 master')
        count = done[0]
        lab_mod.wait_for(lambda: done[0] > count + 100, timeout=15,
                         what='requests flowing through d2')
    finally:
        stop.set()
        t.join(20)
    assert errors == []
    assert lab_mod.arp_answers(pair.client, VIP) == {d2_mac}
    assert VIP in lab_mod.sh('ip', 'addr', 'show', 'eth0', ns=pair.d2_ns)
    for conn, _ in conns:
        conn.close()


def test_dead_keepalived_never_leaves_two_nodes_answering(lab, pair):
    d1_mac, d2_mac = pair.dist_macs['eth0'], pair.d2_macs['eth0']
    run = os.path.join(pair.agent.dir, 'run')
    pids = [int(open(os.path.join(run, f)).read())
            for f in ('vrrp.pid', 'keepalived.pid')]
    for pid in pids:
        os.kill(pid, signal.SIGKILL)
    # The supervisor removes d1's VIP at once; the peer takes over.
    lab_mod.wait_for(lambda: VIP not in lab_mod.sh(
        'ip', 'addr', 'show', 'eth0', ns=pair.dist_ns), timeout=5,
        what='VIP removed from d1')
    lab_mod.wait_for(lambda: pair.vrrp_state(pair.agent2) == 'MASTER',
                     timeout=10, what='d2 master')
    # d1 gets a new keepalived, which stays BACKUP (nopreempt).
    lab_mod.wait_for(lambda: pair.vrrp_state(pair.agent) == 'BACKUP',
                     timeout=10, what='d1 backup again')
    details = pair.agent.ok('GET', '/v1/details')['vrrp']
    assert details['deaths'] >= 1 and details['pid'] not in pids
    for _ in range(3):
        assert lab_mod.arp_answers(pair.client, VIP) == {d2_mac}
    assert VIP not in lab_mod.sh('ip', 'addr', 'show', 'eth0',
                                 ns=pair.dist_ns)
    assert lab.fetch(pair.client) in ('amp1', 'amp2', 'amp3')
    assert d1_mac != d2_mac


def test_agent_crash_keeps_keepalived_and_the_vip(lab, pair):
    details = pair.agent.ok('GET', '/v1/details')['vrrp']
    workers = [p for p in pair.agent.worker_pids()
               if p != pair.agent.proc.pid]
    # The gunicorn worker holding the agent dies; gunicorn starts a new
    # one, which adopts the running keepalived: no VRRP transition.
    for pid in lab.pids(pair.dist_ns):
        cmd = open('/proc/%d/cmdline' % pid, 'rb').read()
        if b'distributor_agent' in cmd and pid != pair.agent.proc.pid:
            os.kill(pid, signal.SIGKILL)
    lab_mod.wait_for(lambda: [
        p for p in pair.agent.worker_pids() if p != pair.agent.proc.pid
        and p not in workers] and pair.agent.call(
            'GET', '/v1/info').status_code == 200, what='new worker')
    again = pair.agent.ok('GET', '/v1/details')['vrrp']
    assert again['pid'] == details['pid']
    assert again['state'] == 'MASTER'
    assert pair.vrrp_state(pair.agent2) == 'BACKUP'
    assert lab_mod.arp_answers(pair.client, VIP) == {pair.dist_macs['eth0']}
    assert lab.fetch(pair.client) in ('amp1', 'amp2', 'amp3')
    # Unplugged on both: keepalived goes away and nobody answers.
    for agent in (pair.agent, pair.agent2):
        agent.ok('DELETE', '/v1/loadbalancers/%s/vip' % pair.lb)
    for agent in (pair.agent, pair.agent2):
        lab_mod.wait_for(lambda: pair.vrrp_state(agent) == 'IDLE',
                         what='keepalived stopped')
    lab_mod.sh('ip', 'neigh', 'flush', 'dev', 'eth0', ns=pair.client)
    assert lab_mod.arp_answers(pair.client, VIP, count=3) == set()
