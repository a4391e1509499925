"""The agent's own probes fail an amphora fast and report it."""
import threading
import time

from octavia_aa.common import heartbeat
from tests.distributor import lab as lab_mod
from tests.distributor.conftest import Bed

KEY = 'failover-test-key'


def test_killed_amphora_only_disturbs_its_own_flows(lab, pki):
    bed = Bed(lab, pki, extra={'distributor_health': {
        'controller_ip_port_list': '192.0.2.1:5555', 'heartbeat_key': KEY,
        'heartbeat_interval': '5'}})
    with lab_mod.netns(bed.ctl):
        receiver = heartbeat.HeartbeatReceiver(KEY, '192.0.2.1', 5555)
    try:
        _run(lab, bed, receiver)
    finally:
        receiver.close()


def _keepalive(lab, survivors, stop, errors):
    """Requests on the survivors' connections: each must stay answered
    by its own amphora."""
    while not stop.is_set():
        for c in survivors:
            try:
                name = lab.get(c)
                if name not in ('amp1', 'amp3'):
                    errors.append(name)
            except Exception as exc:
                errors.append(repr(exc))
                return


def _fresh(lab, bed, stop, failures):
    """New connections all the time; the times of those that failed."""
    while not stop.is_set():
        try:
            lab.fetch(bed.client, timeout=0.5)
        except Exception:
            failures.append(time.monotonic())
        time.sleep(0.005)


def _run(lab, bed, receiver):
    bed.agent.start()
    bed.plug()
    before = bed.register(bed.amps)
    conns = {}
    for _ in range(40):
        conn = lab.connect(bed.client)
        conns.setdefault(lab.get(conn), []).append(conn)
    assert set(conns) == {'amp1', 'amp2', 'amp3'}
    victim = next(a for a in bed.amps if a['name'] == 'amp2')
    survivors = conns['amp1'] + conns['amp3']
    errors, new_conn_failures, stop = [], [], threading.Event()
    threads = [threading.Thread(target=_keepalive,
                                args=(lab, survivors, stop, errors)),
               threading.Thread(target=_fresh,
                                args=(lab, bed, stop, new_conn_failures))]
    for t in threads:
        t.start()
    try:
        time.sleep(0.5)
        while receiver.receive(timeout=0):
            pass
        killed = time.monotonic()
        victim['proc'].kill()
        victim['proc'].wait(5)
        # The controller hears of it from the heartbeat, within a second.
        seen = None
        while time.monotonic() < killed + 5 and not seen:
            got = receiver.receive(timeout=0.2)
            if got:
                amps = got[0]['load_balancers'][bed.lb]['amphorae']
                if amps[victim['id']]['state'] == 'FAILED':
                    seen = time.monotonic()
        assert seen and seen - killed < 1.0, (seen, killed)
        time.sleep(1.5)
    finally:
        stop.set()
        for t in threads:
            t.join(10)
    assert errors == []
    # Service restored within a second: no new connection failed later.
    assert [f - killed for f in new_conn_failures
            if f > killed + 1.0] == []
    assert receiver.dropped == 0
    status = bed.agent.ok('GET', '/v1/loadbalancers/%s' % bed.lb)
    view = {a['id']: a for a in status['amphorae']}
    assert view[victim['id']]['state'] == 'FAILED'
    assert view[victim['id']]['slots'] == 0
    assert set(lab.fetch(bed.client) for _ in range(20)) <= {'amp1', 'amp3'}
    # Back alive: the agent sees it but leaves the slots where they are
    # until the controller says so.
    lab.start_server(victim)
    ok = view[victim['id']]['probes']['ok']
    lab_mod.wait_for(lambda: bed.agent.ok(
        'GET', '/v1/loadbalancers/%s' % bed.lb)['amphorae'][1]['probes'][
            'ok'] > ok + 5, what='probes succeed again')
    status = bed.agent.ok('GET', '/v1/loadbalancers/%s' % bed.lb)
    assert status['amphorae'][1]['state'] == 'FAILED'
    assert status['amphorae'][1]['slots'] == 0
    back = bed.agent.ok('PUT', '/v1/loadbalancers/%s/amphorae/%s/activate'
                        % (bed.lb, victim['id']))
    assert back['digest'] == before['digest']
    assert 'amp2' in {lab.fetch(bed.client) for _ in range(30)}
    for cs in conns.values():
        for c in cs:
            c.close()


def test_failed_amphora_slots_go_to_the_standby(lab, pki):
    bed = Bed(lab, pki, amphorae=4)
    bed.agent.start()
    bed.plug()
    standby = dict(bed.amps[3], role='STANDBY')
    answer = bed.register(bed.amps[:3] + [standby])
    slots = {a['id']: a['slots'] for a in answer['amphorae']}
    assert slots[standby['id']] == 0
    bed.amps[0]['proc'].kill()
    status = lab_mod.wait_for(lambda: (lambda s: s if s['amphorae'][0][
        'state'] == 'FAILED' else None)(bed.agent.ok(
            'GET', '/v1/loadbalancers/%s' % bed.lb)), what='amp1 failed')
    now = {a['id']: a['slots'] for a in status['amphorae']}
    assert now[standby['id']] == slots[bed.amps[0]['id']]
    assert now[bed.amps[1]['id']] == slots[bed.amps[1]['id']]
    assert now[bed.amps[2]['id']] == slots[bed.amps[2]['id']]
    assert 'amp4' in {lab.fetch(bed.client) for _ in range(30)}
    # The controller promotes the standby into the failed position: the
    # table does not change at all.
    promoted = bed.register([dict(standby, role='ACTIVE', position=0)])
    assert promoted['digest'] == status['digest']


def test_pins_never_lead_back_to_a_failed_or_removed_amphora(lab, bed):
    # SOURCE_IP: the pin key is the client address, so every connection
    # of the client follows the pin.
    bed.plug(affinity='SOURCE_IP')
    bed.register(bed.amps)
    by_name = {a['name']: a for a in bed.amps}
    first = by_name[lab.fetch(bed.client)]
    first['proc'].kill()
    lab_mod.wait_for(lambda: bed.agent.ok(
        'GET', '/v1/loadbalancers/%s' % bed.lb)['amphorae'][
            bed.amps.index(first)]['state'] == 'FAILED', what='failed')
    conn = lab.connect(bed.client)
    second = by_name[lab.get(conn)]
    assert second is not first
    # The failed amphora comes back and is activated: its slots return,
    # but the client, pinned to its new amphora meanwhile, stays there.
    lab.start_server(first)
    bed.agent.ok('PUT', '/v1/loadbalancers/%s/amphorae/%s/activate'
                 % (bed.lb, first['id']))
    assert [lab.get(conn) for _ in range(5)] == [second['name']] * 5
    assert lab.fetch(bed.client) == second['name']
    conn.close()
    # The second amphora is removed and its machine disappears: the
    # client's pin must not blackhole it.
    bed.agent.ok('POST', '/v1/loadbalancers/%s/amphorae/unregister'
                 % bed.lb, {'amphora_ids': [second['id']]})
    lab_mod.sh('ip', 'link', 'set', 'eth0', 'down', ns=second['ns'])
    third = lab.fetch(bed.client, timeout=2)
    assert third in {a['name'] for a in bed.amps} - {second['name']}
    flows = lab_mod.sh('nft', 'list', 'ruleset', ns=bed.dist_ns)
    assert second['mac'] not in flows.split('set dead_')[0]
