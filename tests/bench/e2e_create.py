#!/usr/bin/env python
"""How fast clusters are built (run as root).

    .venv/bin/python tests/bench/e2e_create.py [--lbs 8]

One throw-away netns deployment (tests/scenario/deployment.py, its
management /28 holds 13 machines); through the API:
  create_to_active_s     a 3+1 ACTIVE_ACTIVE load balancer, POST until
                         ACTIVE;
  replaced_s             one of its IN_CLUSTER amphorae killed like a dead
                         VM, until the load balancer is ACTIVE/ONLINE with
                         a new amphora in its place;
  create_8_to_active_s   an 8+1 load balancer, POST until ACTIVE;
  create_8_lbs_s         --lbs (8) load balancers of one amphora
                         (ACTIVE_ACTIVE 1+0: 8 and the two distributors
                         fit the /28) POSTed at once, from the first POST
                         until the last one is ACTIVE;
  create_8_lbs_relocked  how many of those left ACTIVE again in the
                         settle time after (a repair the cluster manager
                         started on a freshly built cluster), and
  create_8_lbs_extra_amphorae  how many amphorae beyond one per load
                         balancer were built meanwhile.
The last line printed is one JSON object.  tests/bench/e2e.py runs the
same steps (create_to_active_s from the CLI there).  The machine log of
the service (all.log in the deployment's temp dir) has the build
timeline: grep 'timeline' (tools/build_timeline.py prints it).
"""
import argparse
import concurrent.futures
import json
import os
import shutil
import sys
import time

import psutil

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from octavia_aa.compute.drivers import netns as compute_netns  # noqa: E402
from tests.scenario import deployment as D  # noqa: E402
from tests.scenario import steps  # noqa: E402


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def flavor(dep, name, desired, standby=1, min_size=2):
    profile = dep.api('POST', '/v2/lbaas/flavorprofiles', {
        'flavorprofile': {'name': name, 'provider_name': 'amphora',
                          'flavor_data': json.dumps({
                              'loadbalancer_topology': 'ACTIVE_ACTIVE',
                              'cluster_desired_size': desired,
                              'cluster_standby_count': standby,
                              'cluster_min_size': min_size})}})
    return dep.api('POST', '/v2/lbaas/flavors', {'flavor': {
        'name': name, 'flavor_profile_id': profile['flavorprofile']['id'],
        'enabled': True}})['flavor']['id']


def post_lb(dep, name, flavor_id):
    return dep.api('POST', '/v2/lbaas/loadbalancers', {'loadbalancer': {
        'name': name, 'flavor_id': flavor_id,
        'vip_subnet_id': dep.subnet(D.VIP_SUBNET)['id']}})['loadbalancer']


def wait_active(dep, lb_ids, timeout=180):
    """Seconds (monotonic) at which each load balancer was first seen
    ACTIVE; raises if one went to ERROR."""
    seen = {}
    deadline = time.monotonic() + timeout
    while len(seen) < len(lb_ids):
        dep.check_service()
        lbs = {lb['id']: lb for lb in dep.api(
            'GET', '/v2/lbaas/loadbalancers')['loadbalancers']}
        for lb_id in lb_ids:
            status = lbs[lb_id]['provisioning_status']
            if status == 'ERROR':
                raise AssertionError('load balancer %s in ERROR' % lb_id)
            if status == 'ACTIVE' and lb_id not in seen:
                seen[lb_id] = time.monotonic()
        assert time.monotonic() < deadline, 'not ACTIVE: %s' % (
            set(lb_ids) - set(seen))
        time.sleep(0.05)
    return seen


def create_one(dep, name, flavor_id):
    t = time.monotonic()
    lb = post_lb(dep, name, flavor_id)
    done = wait_active(dep, [lb['id']])[lb['id']]
    return lb['id'], round(done - t, 2)


def serve(dep, lb_id):
    """Listener, pool and the deployment's members (for the kill)."""
    def made(path, body):
        dep.api('POST', path, body)
        wait_active(dep, [lb_id])
    made('/v2/lbaas/listeners', {'listener': {
        'name': 'web', 'protocol': 'HTTP', 'protocol_port': 80,
        'loadbalancer_id': lb_id}})
    listener = dep.api('GET', '/v2/lbaas/listeners?loadbalancer_id=%s'
                       % lb_id)['listeners'][0]
    made('/v2/lbaas/pools', {'pool': {
        'name': 'pool1', 'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN',
        'listener_id': listener['id']}})
    pool = dep.api('GET', '/v2/lbaas/pools?loadbalancer_id=%s'
                   % lb_id)['pools'][0]
    subnet = dep.subnet(D.MEMBER_SUBNET)['id']
    for ip in dep.member_addresses():
        made('/v2/lbaas/pools/%s/members' % pool['id'], {'member': {
            'address': ip, 'protocol_port': D.MEMBER_PORT,
            'subnet_id': subnet}})
    dep.vip = dep.load_balancer(lb_id)['vip_address']


def cpu_snapshot(dep):
    """{pid: (group, CPU seconds)}: 'controller' for octavia-aa-all and
    its children outside the machines, 'machines' for every process in
    the deployment's namespaces (agents, HAProxy, keepalived)."""
    out = {}
    for ns in dep.prefix_namespaces():
        for pid in compute_netns.namespace_pids(ns):
            out[pid] = 'machines'
    for proc in dep.service_procs:
        try:
            root = psutil.Process(proc.pid)
            for p in [root] + root.children(recursive=True):
                out.setdefault(p.pid, 'controller')
        except psutil.NoSuchProcess:
            pass
    snap = {}
    for pid, group in out.items():
        try:
            t = psutil.Process(pid).cpu_times()
            snap[pid] = (group, t.user + t.system)
        except psutil.NoSuchProcess:
            pass
    return snap


def cpu_used(before, after):
    """CPU seconds per group between two snapshots (processes that ended
    in between are not counted: a floor)."""
    used = {}
    for pid, (group, cpu) in after.items():
        used[group] = used.get(group, 0.0) + cpu - before.get(
            pid, (group, 0.0))[1]
    return {k: round(v, 2) for k, v in used.items()}


def create_many(dep, count, flavor_id, settle, per_lb=1):
    """count load balancers POSTed at once; then `settle` seconds of
    watching whether any leaves ACTIVE again or gets more amphorae."""
    cpu_before = cpu_snapshot(dep)
    t = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(count) as pool:
        lbs = list(pool.map(lambda i: post_lb(dep, 'many%d' % i, flavor_id),
                            range(count)))
    ids = [lb['id'] for lb in lbs]
    done = wait_active(dep, ids)
    out = {'create_8_lbs_s': round(max(done.values()) - t, 2),
           'create_8_lbs_first_s': round(min(done.values()) - t, 2)}
    # What the creation cost, to set the time against the two cores.
    for group, cpu in cpu_used(cpu_before, cpu_snapshot(dep)).items():
        out['create_8_lbs_cpu_s_%s' % group] = cpu
    relocked = set()
    end = time.monotonic() + settle
    while time.monotonic() < end:
        for lb in dep.api('GET', '/v2/lbaas/loadbalancers')['loadbalancers']:
            if lb['id'] in done and lb['provisioning_status'] != 'ACTIVE':
                relocked.add(lb['id'])
        time.sleep(0.2)
    amps = dep.api('GET', '/v2/octavia/amphorae')['amphorae']
    built = [a for a in amps if a.get('loadbalancer_id') in done]
    out['create_8_lbs_relocked'] = len(relocked)
    out['create_8_lbs_extra_amphorae'] = len(built) - per_lb * count
    if relocked:
        log('left ACTIVE again after create:', sorted(relocked))
    return out, ids


STEPS = ('small', 'big', 'many')


def run(dep, lbs=8, settle=None, steps_=STEPS):
    result = {}
    settle = settle if settle is not None else (
        dep.heartbeat_timeout + 2 * dep.reconcile_interval + 2)
    small = flavor(dep, 'aa31', 3)
    single = flavor(dep, 'aa10', 1, standby=0, min_size=1)
    if 'small' in steps_:
        lb_id, result['create_to_active_s'] = create_one(dep, 'lb31', small)
        log('3+1 ACTIVE in', result['create_to_active_s'])
        serve(dep, lb_id)
        steps.wait_lb(dep, lb_id, check=steps.cluster_is(3), timeout=90)
        kill = steps.kill_amphora(dep, lb_id, mode=D.Deployment.SILENT)
        result['replaced_s'] = kill['replaced_s'] and round(
            kill['replaced_s'], 2)
        log('replaced in', result['replaced_s'])
        dep.api('DELETE', '/v2/lbaas/loadbalancers/%s?cascade=true' % lb_id)
        wait_gone(dep)
    if 'big' in steps_:
        big = flavor(dep, 'aa81', 8)
        lb_id, result['create_8_to_active_s'] = create_one(dep, 'lb81', big)
        log('8+1 ACTIVE in', result['create_8_to_active_s'])
        dep.api('DELETE', '/v2/lbaas/loadbalancers/%s?cascade=true' % lb_id)
        wait_gone(dep)
    if 'many' in steps_:
        many, _ = create_many(dep, lbs, single, settle)
        log('%d LBs' % lbs, many)
        result.update(many)
    return result


def wait_gone(dep, timeout=120):
    D.wait_for(lambda: not dep.api('GET', '/v2/octavia/amphorae')[
        'amphorae'], timeout=timeout, interval=0.25, what='no amphorae')


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lbs', type=int, default=8)
    parser.add_argument('--steps', default=','.join(STEPS),
                        help='which of %s' % ','.join(STEPS))
    parser.add_argument('--keep-log', metavar='PATH',
                        help='copy the service log there before cleaning up')
    args = parser.parse_args()
    dep = D.Deployment()
    result = {'load_average_1m': None}
    try:
        dep.start()
        result.update(run(dep, args.lbs, steps_=args.steps.split(',')))
    finally:
        result['load_average_1m'] = round(os.getloadavg()[0], 2)
        if args.keep_log:
            shutil.copy(os.path.join(dep.tmp, 'all.log'), args.keep_log)
        dep.close()
    print(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
