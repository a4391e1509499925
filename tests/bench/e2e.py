#!/usr/bin/env python
"""End-to-end benchmark of an ACTIVE_ACTIVE load balancer (run as root).

    cd /work/main && .venv/bin/python tests/bench/e2e.py [--seconds 5]

Starts octavia-aa-all with the netns data plane in a throw-away
deployment (tests/scenario/deployment.py: random name prefix, its own
management /28, client and member namespaces), then through the real
openstack CLI: creates a 3+1 load balancer, measures requests per second
through the VIP from 24 client addresses, kills one IN_CLUSTER amphora
under keep-alive load, resizes 3->5->2 under load, fails the load
balancer over (rolling) under load, kills the MASTER distributor under
load, deletes the load balancer with --cascade and
counts what is left.  Everything is removed
at the end.  The last line printed is one JSON object with the figures.

Measured on the shared 2-vCPU dev machine (three runs): distributors
ACTIVE 2.1-2.7 s after start; create_to_active 3.8-7.5 s (3+1
amphorae; 3.86 s on 2026-11-22); 300 requests all answered by the 3
IN_CLUSTER amphorae; rps_via_vip 4.9-6.9k (24 keep-alive connections, no
pause; the Python load generator and the three Python member servers
share the two cores with everything else, so this is a floor); amphora
kill under 24 keep-alive connections (~500 rps): 0-3 failed of 3.4-4.9k
requests, all on the victim's connections (requests in flight when its
HAProxy died are reset), none elsewhere; the distributor moves the
victim's slots within ~0.4 s (LB DEGRADED at 0.44 s), but a client that
reconnected at once had its SYN swallowed by the dead amphora and
retries it after Linux's initial 1 s RTO, so kill_restore_ms is ~1.05-
1.1 s while kill_last_failure_ms is a few ms; replaced (LB ONLINE again
with a new standby) in 3.1-6.5 s; resize 3->5->2 in 3.6-6.0 s + 1.5-2.7
s with 0 failed requests, and since the leaving amphorae are drained 0
retried either; rolling load-balancer failover (3 amphorae) in 9.8-12.9
s, 0 failed and 0 retried of ~6.5-7.9k requests; MASTER distributor
kill: 0 failed, ~470 ms pause; delete 3.8 s, leaked_after_delete 0.
The distributor holding the VIP killed like a VM: shown ERROR by the
API after 0.71-1.02 s (dead_distributor_marked_s, was ~60 s), both
distributors ACTIVE again after 3.6-4.2 s.
"""
import argparse
import json
import os
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from tests.scenario import deployment as D  # noqa: E402
from tests.scenario import steps  # noqa: E402


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def rps(dep, seconds):
    """Keep-alive requests per second through the VIP, 24 client
    addresses with no pause (spread over every amphora by the
    distributor's source hash)."""
    load = dep.load(D.CLIENT_ADDRS[:24], interval=0)
    load.wait_ready()
    time.sleep(seconds)
    result = load.stop()
    ok = sum(r['ok'] for r in result['connections'])
    failed = sum(len(r['failures']) for r in result['connections'])
    amps = {a for r in result['connections'] for a in r['amps']}
    return ok / (result['ended'] - result['started']), failed, len(amps)


def dead_distributor_marked(dep, lb_id, timeout=120):
    """dead_distributor_marked_s: the distributor that holds the VIP (the
    VRRP MASTER) dies like a VM (every process killed, links down, so
    nothing answers); seconds from the kill until the API lists it as
    not ACTIVE.  Its peer takes the VIP over, reports the takeover in a
    heartbeat at once, and the controller, finding the old master's
    agent silent too, marks it ERROR and starts its replacement (before
    this, it stayed ACTIVE for heartbeat_timeout, ~60 s).
    dead_distributor_replaced_s: from the kill until both distributors
    are ACTIVE again."""
    steps.steady(dep, lb_id)
    holders = steps.vip_holders(dep, dep.vip)
    victim = [d for d in dep.distributors()
              if dep.namespace(d['compute_id']) in holders]
    assert len(victim) == 1, (holders, dep.distributors())
    victim = victim[0]
    t_kill = dep.kill_machine(victim['compute_id'])
    log('killed the distributor holding the VIP, %s' % victim['id'])

    def status():
        return {d['id']: d for d in dep.distributors()}[victim['id']]

    deadline = time.time() + timeout
    while status()['status'] == 'ACTIVE':
        assert time.time() < deadline, 'dead distributor still ACTIVE'
        time.sleep(0.05)
    out = {'dead_distributor_marked_s': round(time.time() - t_kill, 2),
           'dead_distributor_marked_as': status()['status']}
    dep.wait_distributors(timeout=timeout)
    out['dead_distributor_replaced_s'] = round(time.time() - t_kill, 2)
    steps.wait_lb(dep, lb_id, timeout=timeout,
                  what='load balancer ACTIVE/ONLINE after the replacement')
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seconds', type=int, default=5)
    args = parser.parse_args()
    result = {}
    dep = D.Deployment()
    try:
        t = time.monotonic()
        dep.start()
        result['service_to_distributors_s'] = round(
            time.monotonic() - t, 2)
        lb = steps.create_lb(dep)
        result['create_to_active_s'] = lb['create_to_active_s']
        t = time.monotonic()
        steps.wait_lb(dep, lb['id'], check=steps.cluster_is(3), timeout=90)
        result['configured_to_online_s'] = round(time.monotonic() - t, 2)
        counted = steps.count_requests(dep, 300)
        result['amphorae_serving'] = len(counted['peers'])
        result['count_300_failed'] = counted['failed']
        value, failed, amps = rps(dep, args.seconds)
        result['rps_via_vip'] = round(value)
        result['rps_failed'] = failed
        result['rps_amphorae'] = amps
        log('rps', value, 'over', amps, 'amphorae')

        kill = steps.kill_amphora(dep, lb['id'])
        log('kill', {k: v for k, v in kill.items() if k != 'stats'})
        result['kill_failed_requests'] = kill['failed_requests']
        result['kill_failed_elsewhere'] = kill['failed_elsewhere']
        result['kill_total_requests'] = kill['total_requests']
        # Until every connection answers again (a SYN that the dead
        # amphora swallowed is retried by the client 1 s later), and
        # until the last failed request.
        result['kill_restore_ms'] = kill['restore_ms']
        result['kill_last_failure_ms'] = kill['last_failure_ms']
        result['kill_max_gap_ms'] = kill['max_gap_ms']
        result['replaced_s'] = kill['replaced_s']

        resize = steps.resize(dep, lb['id'], sizes=(5, 2))
        log('resize', {k: v for k, v in resize.items() if k != 'stats'})
        result['resize_s'] = resize['seconds']
        result['resize_failed_requests'] = resize['failed_on_survivors']
        result['resize_drained_failed_requests'] = resize['failed_on_removed']
        result['resize_total_requests'] = resize['total_requests']

        rolling = steps.failover_lb(dep, lb['id'])
        log('rolling failover', {k: v for k, v in rolling.items()
                                 if k != 'stats'})
        result['lb_failover_s'] = rolling['seconds']
        result['lb_failover_failed_requests'] = rolling['failed_requests']
        result['lb_failover_retried_requests'] = rolling['retried_requests']
        result['lb_failover_total_requests'] = rolling['total_requests']

        master = steps.kill_master_distributor(dep, lb['id'])
        log('master distributor kill', master)
        result['master_kill_failed_requests'] = master['failed_requests']
        result['master_kill_total_requests'] = master['total_requests']
        result['master_kill_gap_ms'] = master['max_gap_ms']

        dead = dead_distributor_marked(dep, lb['id'])
        log('dead distributor', dead)
        result.update(dead)

        deleted = steps.delete_lb(dep, lb)
        log('delete', deleted)
        result['delete_s'] = deleted['deleted_s']
        leaks = deleted['leaks']
        result['leaked_after_delete'] = (
            len(leaks['namespaces']) + len(leaks['processes']) +
            sum(len(v) for v in leaks['rows'].values()))
        result['leaked_other'] = (len(leaks['links']) +
                                  len(leaks['nftables']) +
                                  len(leaks['addresses']))
    finally:
        dep.close()
    print(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
