"""Distributor failure figures (issue 10 items 5 and 6), each in its own
bed: amphora death detection (RST and silent) and pinned flows through
a master distributor failover.  Run through tests/bench/distributor.py
(--only detect|pins|all).
"""
import json
import os
import signal
import statistics
import threading
import time

from tests.bench.distributor_common import lab_mod  # noqa
from tests.bench.distributor_common import log  # noqa
from tests.bench.distributor_common import start_haproxy  # noqa
from tests.bench.distributor_common import VIP  # noqa
from tests.bench.distributor_common import wrk  # noqa
from tests.distributor.conftest import Bed
from tests.distributor.conftest import vrrp_opts


def _prober_body(spec):
    interval, timeout, fall = spec.split(',')
    return {'interval': float(interval), 'timeout': float(timeout),
            'fall': int(fall)}


def detection(args):
    """detect_ms_rst: an amphora's processes killed (its kernel answers
    the probe with a reset) until the distributor failed it, by the
    agent's own failed_at; detect_ms_silent: the same with the
    amphora's link set down first (a dead VM: nothing answers, every
    probe waits for its timeout).  Medians and maxima of --trials each,
    with the prober settings --prober (default: the controller's
    [distributor_probes] defaults).  false_failovers: amphorae failed
    while nothing was killed, during --seconds of wrk load through the
    VIP (HAProxy amphorae, both cores busy)."""
    from octavia_aa.distributor import probe_opts
    if args.prober:
        prober = _prober_body(args.prober)
    else:
        prober = {o.name: o.default for o in probe_opts.opts
                  if o.name in ('interval', 'timeout', 'fall')}
    result = {'detect_prober': prober}
    lab = lab_mod.Lab()
    try:
        pki = lab_mod.Pki(lab.tmp)
        bed = Bed(lab, pki, amphorae=3)
        for amp in bed.amps:
            start_haproxy(lab, amp)
        bed.agent.start()
        bed.plug(prober=prober)
        bed.register(bed.amps)
        path = '/v1/loadbalancers/%s' % bed.lb

        def state():
            return bed.agent.ok('GET', path)['amphorae']

        # False failovers under load first (nothing killed).
        log('false failovers: %ds of wrk through the VIP' % args.seconds)
        stop = threading.Event()
        failed = set()

        def watch():
            while not stop.wait(0.2):
                failed.update(a['id'] for a in state()
                              if a['state'] == 'FAILED')
        t = threading.Thread(target=watch)
        t.start()
        try:
            load = wrk(lab, bed.client, 'http://%s/' % VIP, 64,
                       args.seconds)
        finally:
            stop.set()
            t.join()
        result['detect_load_rps'] = load['rps']
        result['false_failovers'] = len(failed)
        for mode in ('rst', 'silent'):
            times = []
            for i in range(args.trials):
                index = i % len(bed.amps)
                amp = bed.amps[index]
                time.sleep(0.3)
                t0 = time.time()
                if mode == 'rst':
                    amp['proc'].kill()
                else:
                    lab_mod.sh('ip', 'link', 'set', 'eth0', 'down',
                               ns=amp['ns'])
                lab_mod.wait_for(lambda: state()[index]['state'] ==
                                 'FAILED', what='%s failed' % amp['name'])
                times.append((state()[index]['failed_at'] - t0) * 1000)
                if mode == 'rst':
                    amp['proc'].wait()
                    start_haproxy(lab, amp)
                else:
                    lab_mod.sh('ip', 'link', 'set', 'eth0', 'up',
                               ns=amp['ns'])
                lab_mod.wait_for(lambda: lab.fetch(
                    bed.client, host=amp['ip'], timeout=1) == amp['name'],
                    what='%s back' % amp['name'])
                bed.agent.ok('PUT', '%s/amphorae/%s/activate'
                             % (path, amp['id']))
            log('  %s: %s ms' % (mode, [round(x) for x in times]))
            result['detect_ms_' + mode] = round(statistics.median(times), 1)
            result['detect_ms_%s_max' % mode] = round(max(times), 1)
    finally:
        lab.close()
    return result


def _pins(ns):
    out = json.loads(lab_mod.sh('nft', '-j', 'list', 'ruleset', ns=ns))
    found = {}
    for obj in out['nftables']:
        m = obj.get('map')
        if m and m['name'].startswith('flows_'):
            for key, mac in m.get('elem', []):
                found[json.dumps(key['elem']['val'] if 'elem' in key
                                 else key, sort_keys=True)] = mac
    return found


def pinned_failover(args):
    """pinned_flows_reset_on_distributor_failover: a VRRP pair serving
    two amphorae holds --connections keep-alive connections; a third
    amphora is registered on both (a scale-up: about a third of the
    flows are now held on their amphora only by a pin), one second
    later the MASTER node dies (processes killed, link down); the figure
    is how many of those connections are then reset or moved (target
    0).  pin_sync_lag_ms: from the scale-up until the BACKUP holds all
    the MASTER's pins (the two register calls included)."""
    result = {}
    lab = lab_mod.Lab()
    try:
        pki = lab_mod.Pki(lab.tmp)
        hb = {'distributor_health': {'heartbeat_key': 'bench-pins'}}
        bed = Bed(lab, pki, amphorae=3, extra=dict(vrrp_opts(150), **hb))
        d2_ns, _ = lab.node('d2', [('eth0', 'fe', '198.51.100.4/24'),
                                   ('eth1', 'mg', '192.0.2.4/24')])
        agent2 = lab_mod.AgentProc(lab, pki, d2_ns, '192.0.2.4',
                                   extra=dict(vrrp_opts(100), **hb),
                                   ctl_ns=bed.ctl)
        bed.agent.start()
        time.sleep(0.3)
        agent2.start()
        for agent in (bed.agent, agent2):
            bed.plug(agent=agent, mac_address=None)
            bed.register(bed.amps[:2], agent=agent)
        lab_mod.wait_for(lambda: bed.agent.ok('GET', '/v1/details')[
            'vrrp']['state'] == 'MASTER', what='d1 master')
        conns = []
        for _ in range(args.connections):
            conn = lab.connect(bed.client, timeout=5)
            conns.append((conn, lab.get(conn)))
        t0 = time.monotonic()
        for agent in (bed.agent, agent2):
            bed.register(bed.amps, agent=agent)
        held = _pins(bed.dist_ns)
        lab_mod.wait_for(lambda: held.items() <= _pins(d2_ns).items(),
                         interval=0.01, what='d1 pins on d2')
        result['pin_sync_lag_ms'] = round((time.monotonic() - t0) * 1000, 1)
        time.sleep(max(0.0, 1.0 - (time.monotonic() - t0)))
        for pid in lab.pids(bed.dist_ns):
            os.kill(pid, signal.SIGKILL)
        lab_mod.sh('ip', 'link', 'set', 'eth0', 'down', ns=bed.dist_ns)
        lab_mod.wait_for(lambda: agent2.ok('GET', '/v1/details')[
            'vrrp']['state'] == 'MASTER', what='d2 master')
        reset = 0
        for conn, name in conns:
            try:
                if lab.get(conn) != name:
                    reset += 1
            except Exception:
                reset += 1
            conn.close()
        moved = sum(1 for _ in range(60)
                    if lab.fetch(bed.client) == 'amp3')
        result['pinned_flows_reset_on_distributor_failover'] = reset
        result['pinned_failover_connections'] = len(conns)
        # Sanity: the scale-up did move slots (new flows reach amp3).
        result['pinned_failover_new_flows_on_amp3'] = moved
    finally:
        lab.close()
    return result
