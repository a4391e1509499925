"""ACTIVE_STANDBY scenario steps, shared by
tests/scenario/test_active_standby.py and tests/bench/active_standby.py:
a MASTER/BACKUP pair whose VIP keepalived holds, the MASTER amphora
killed under keep-alive load."""
import os
import time

from tests.scenario import deployment as D
from tests.scenario import steps

FLAVOR_DATA = {'loadbalancer_topology': 'ACTIVE_STANDBY'}
MASTER, BACKUP = 'MASTER', 'BACKUP'


def create_lb(dep, name='as1'):
    return steps.create_lb(dep, name=name, flavor_data=FLAVOR_DATA,
                           flavor='silver')


def pair_ready(amps):
    live = steps.live(amps)
    return (sorted(a['role'] for a in live) == [BACKUP, MASTER] and
            all(a['status'] == 'ALLOCATED' for a in live))


def vip_holders(dep, lb_id):
    """The live amphorae whose namespace has the VIP address now."""
    out = []
    for a in steps.live(dep.amphorae(lb_id)):
        ns = dep.namespace(a['compute_id'])
        if dep.vip in {addr for _, addr in dep.ns_addresses(
                ns, missing_ok=True)}:
            out.append(a)
    return out


def kill_master(dep, lb_id, mode=D.Deployment.SILENT, settle=2.0,
                timeout=120):
    """Kill the amphora holding the VIP under keep-alive load, see the
    other take the VIP over and the controller build a new BACKUP.
    Returns the figures and the load's records."""
    steps.wait_lb(dep, lb_id, check=pair_ready, timeout=90,
                  what='MASTER and BACKUP ALLOCATED, LB ONLINE')
    holders = vip_holders(dep, lb_id)
    assert len(holders) == 1, holders
    victim = holders[0]
    survivor = [a for a in steps.live(dep.amphorae(lb_id))
                if a['id'] != victim['id']][0]
    load = dep.load(gap=steps.KILL_GAP)
    statuses = []
    took_over_s = replaced_s = None
    try:
        load.wait_ready()
        time.sleep(settle)
        t_kill = dep.kill_machine(victim['compute_id'], mode=mode)
        assert t_kill is not None, 'the MASTER amphora was already gone'
        steps.log('killed MASTER amphora %s (%s)' % (victim['id'], mode))
        try:
            D.wait_for(lambda: [a['id'] for a in vip_holders(dep, lb_id)]
                       == [survivor['id']], timeout=10, interval=0.02,
                       what='the survivor holds the VIP')
            took_over_s = time.time() - t_kill
        except AssertionError:
            pass

        def replaced():
            dep.check_service()
            lb = dep.load_balancer(lb_id)
            now = (lb['provisioning_status'], lb['operating_status'])
            if not statuses or statuses[-1][1:] != now:
                statuses.append((round(time.time() - t_kill, 2),) + now)
            amps = dep.amphorae(lb_id)
            return (lb['provisioning_status'] == 'ACTIVE' and
                    lb['operating_status'] == 'ONLINE' and
                    pair_ready(amps) and victim['id'] not in
                    {a['id'] for a in steps.live(amps)})
        try:
            D.wait_for(replaced, timeout=timeout, interval=0.25,
                       what='ONLINE with a replacement')
            replaced_s = time.time() - t_kill
        except AssertionError:
            pass
        time.sleep(settle)
    finally:
        result = load.stop()
    after = steps.live(dep.amphorae(lb_id))
    conns = result['connections']
    fails = sorted(f for r in conns for f in r['failures'])
    last_fail = max((f[0] for f in fails), default=t_kill)
    workers = {r['worker'] for r in conns}
    recovered = {r['worker'] for r in conns
                 if r['last'] and r['last'] > last_fail}
    # From the kill until every load connection is answered again (the
    # last failure or the end of the last pause across the kill).
    gap_ends = [g[0] + g[1] - t_kill for r in conns for g in r['gaps']
                if g[0] <= t_kill + 1 and g[0] + g[1] >= t_kill]
    return {
        'mode': mode, 'victim': victim['id'], 'victim_role': victim['role'],
        'survivor': survivor['id'],
        'victim_namespace': dep.namespace(victim['compute_id']),
        'vip_moved_ms': round(took_over_s * 1000) if took_over_s else None,
        'takeover_ms': round(max([last_fail - t_kill] + gap_ends) * 1000),
        'failed_requests': len(fails),
        'retried_requests': sum(len(r['retried']) for r in conns),
        'total_requests': sum(r['ok'] for r in conns) + len(fails),
        'failures_sample': fails[:5],
        'workers': len(workers), 'workers_recovered': len(recovered),
        'replaced_s': round(replaced_s, 2) if replaced_s else None,
        'statuses': statuses,
        'amphorae_after': sorted((a['id'], a['role']) for a in after),
        'vip_holders_after': [a['id'] for a in vip_holders(dep, lb_id)],
    }


def _haproxy_pids(ns):
    return [p for p in D.compute_netns.namespace_pids(ns)
            if os.path.basename(D.cmdline(p).split(' ')[0]) == 'haproxy']


def kill_haproxy(dep, lb_id, timeout=15):
    """SIGKILL every HAProxy of the amphora holding the VIP (its agent
    and keepalived live on): the check script fails, keepalived goes to
    FAULT and the peer takes the VIP.  Then the agent is killed too: the
    compute driver restarts it, it starts HAProxy again and adopts the
    running keepalived.  Returns (victim id, seconds until the other
    amphora held the VIP, holders once the victim's check passes
    again)."""
    holder = vip_holders(dep, lb_id)
    assert len(holder) == 1, holder
    ns = dep.namespace(holder[0]['compute_id'])
    pids = _haproxy_pids(ns)
    assert pids, 'no HAProxy in %s' % ns
    t = time.monotonic()
    D.kill_pids(pids)

    def moved():
        now = vip_holders(dep, lb_id)
        return len(now) == 1 and now[0]['id'] != holder[0]['id']
    D.wait_for(moved, timeout=timeout, interval=0.05,
               what='the VIP on the other amphora')
    seconds = round(time.monotonic() - t, 2)
    agent = [p for p in D.compute_netns.namespace_pids(ns)
             if os.path.basename(D.cmdline(p).split(' ')[0]) not in (
                 'keepalived', 'haproxy', 'sh') and
             ('amphora-agent' in D.cmdline(p) or
              'backends.agent' in D.cmdline(p))]
    assert agent, 'no agent in %s' % ns
    D.kill_pids(agent)
    D.wait_for(lambda: _haproxy_pids(ns), timeout=60, interval=0.2,
               what='HAProxy started again by the restarted agent')
    # The check rises after 2 passes; with nopreempt the VIP stays.
    time.sleep(4)
    return holder[0]['id'], seconds, [a['id'] for a in
                                      vip_holders(dep, lb_id)]
