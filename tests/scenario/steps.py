"""The scenario steps shared by tests/scenario/test_active_active.py and
tests/bench/e2e.py.  Each step drives the deployment the way an operator
would (openstack CLI, admin API for the cluster) while real traffic runs,
and returns what it observed; the test asserts on it, the benchmark
prints it."""
import json
import time

from tests.scenario import deployment as D

FLAVOR_DATA = {'loadbalancer_topology': 'ACTIVE_ACTIVE',
               'cluster_desired_size': 3, 'cluster_min_size': 2}
IN_CLUSTER = 'IN_CLUSTER'
STANDBY = 'IN_CLUSTER_STANDBY'
GONE = ('DELETED', 'PENDING_DELETE')
# Shortest pause of a load connection that the kill steps record (the
# load's interval is 0.05 s): restore figures below it read as 0.
KILL_GAP = 0.15


def log(*args):
    import sys
    print(*args, file=sys.stderr, flush=True)


def live(amps):
    return [a for a in amps if a['status'] not in GONE]


def roles(amps):
    out = {}
    for a in live(amps):
        out.setdefault(a['role'], []).append(a)
    return out


def create_lb(dep, name='lb1', flavor_data=None, flavor='gold'):
    """Flavor profile, flavor, load balancer, listener, pool, members,
    all through the CLI (flavor_data: FLAVOR_DATA's ACTIVE_ACTIVE by
    default).  Returns {'id', 'vip', 'create_to_active_s', 'lb'}."""
    cli = dep.cli
    cli.run('loadbalancer', 'flavorprofile', 'create', '--name',
            flavor + '-profile', '--provider', 'amphora', '--flavor-data',
            json.dumps(flavor_data or FLAVOR_DATA))
    cli.run('loadbalancer', 'flavor', 'create', '--name', flavor,
            '--flavorprofile', flavor + '-profile', '--enable')
    t = time.monotonic()
    lb = cli.json('loadbalancer', 'create', '--name', name, '--flavor',
                  flavor, '--vip-subnet-id', D.VIP_SUBNET, '--wait')
    created = time.monotonic() - t
    assert lb['provisioning_status'] == 'ACTIVE', lb
    dep.vip = lb['vip_address']
    cli.run('loadbalancer', 'listener', 'create', '--name', 'web',
            '--protocol', 'HTTP', '--protocol-port', '80', name, '--wait')
    cli.run('loadbalancer', 'pool', 'create', '--name', 'pool1',
            '--listener', 'web', '--protocol', 'HTTP', '--lb-algorithm',
            'ROUND_ROBIN', '--wait')
    for ip in dep.member_addresses():
        cli.run('loadbalancer', 'member', 'create', '--subnet-id',
                D.MEMBER_SUBNET, '--address', ip, '--protocol-port',
                str(D.MEMBER_PORT), 'pool1', '--wait')
    return {'id': lb['id'], 'name': name, 'vip': lb['vip_address'],
            'create_to_active_s': round(created, 2), 'lb': lb}


def wait_lb(dep, lb_id, operating='ONLINE', timeout=60, what=None,
            check=None):
    """Poll the API until the load balancer is ACTIVE with this
    operating status (and check(amphorae) holds)."""
    def ok():
        dep.check_service()
        lb = dep.load_balancer(lb_id)
        if lb['provisioning_status'] != 'ACTIVE' or \
                lb['operating_status'] != operating:
            return False
        return check is None or check(dep.amphorae(lb_id))
    return D.wait_for(ok, timeout=timeout, interval=0.25,
                      what=what or 'load balancer ACTIVE/%s' % operating)


def steady(dep, lb_id, timeout=60):
    """Each step starts from an ACTIVE/ONLINE load balancer whose
    amphorae are all ALLOCATED (so a step's failure is its own, not the
    tail of the previous one)."""
    def check(amps):
        return all(a['status'] == 'ALLOCATED' for a in live(amps))
    wait_lb(dep, lb_id, check=check, timeout=timeout,
            what='load balancer ACTIVE/ONLINE before the step')


def cluster_is(n_active, n_standby=1):
    def check(amps):
        r = roles(amps)
        return (len(r.get(IN_CLUSTER, [])) == n_active and
                len(r.get(STANDBY, [])) == n_standby and
                all(a['status'] == 'ALLOCATED' for a in live(amps)))
    return check


def member_map(dep, amps):
    """{member-subnet address: amphora} of the live amphorae whose
    namespace still exists (the controller may be deleting one now)."""
    out = {}
    for a in live(amps):
        if dep.namespace_exists(dep.namespace(a['compute_id'])):
            out[dep.member_address(a)] = a
    return out


def count_requests(dep, total=300):
    run = dep.load(D.CLIENT_ADDRS, interval=0, requests_total=total)
    out, err = run.proc.communicate(timeout=120)
    assert run.proc.returncode == 0, err
    result = json.loads(out)
    ok = sum(r['ok'] for r in result['connections'])
    failed = sum(len(r['failures']) for r in result['connections'])
    peers = {}
    members = {}
    for r in result['connections']:
        for peer in r['amps']:
            peers[peer] = peers.get(peer, 0) + r['ok']
        for name, n in r['members'].items():
            members[name] = members.get(name, 0) + n
    return {'ok': ok, 'failed': failed, 'peers': peers,
            'members': sorted(members), 'member_counts': members,
            'rps': round(ok / max(1e-6, result['ended'] - result['started']))}


def kill_amphora(dep, lb_id, mode=D.Deployment.SILENT, settle=2.0,
                 timeout=90):
    """Kill one IN_CLUSTER amphora (Deployment.KILL_MODES) under
    keep-alive load; wait for the replacement.  Returns the figures and
    the per-amphora stats."""
    steady(dep, lb_id)
    load = dep.load(gap=KILL_GAP)
    statuses = []
    try:
        load.wait_ready()
        time.sleep(settle)
        # The victim is chosen at the moment of the kill, from what the
        # API says now (the controller may have replaced one meanwhile).
        victim, victim_addr, by_addr, t_kill = _kill_one(dep, lb_id, mode)
        log('killed amphora %s (%s, %s)' % (victim['id'], victim_addr,
                                             mode))
        seen = set()

        def replaced():
            dep.check_service()
            lb = dep.load_balancer(lb_id)
            status = lb['operating_status']
            if not statuses or statuses[-1][1] != status:
                statuses.append((round(time.time() - t_kill, 2), status))
            seen.add(status)
            if status != 'ONLINE' or lb['provisioning_status'] != 'ACTIVE':
                return False
            now = dep.amphorae(lb_id)
            return (cluster_is(3)(now) and
                    victim['id'] not in {a['id'] for a in live(now)})
        try:
            D.wait_for(replaced, timeout=timeout, interval=0.2,
                       what='ONLINE with a replacement')
            replaced_s = time.time() - t_kill
        except AssertionError:
            replaced_s = None
        time.sleep(settle)
    finally:
        result = load.stop()
    stats = D.by_amphora(result)
    fails = [f for s in stats.values() for f in s['failures']]
    last_fail = max((f[0] for f in fails), default=t_kill)
    # Every worker answered again after the failover.
    workers = {r['worker'] for r in result['connections']}
    recovered = {r['worker'] for r in result['connections']
                 if r['last'] and r['last'] > last_fail}
    total = sum(s['ok'] + s['failed'] for s in stats.values())
    after = dep.amphorae(lb_id)
    return {
        'mode': mode, 'victim': victim['id'], 'victim_addr': victim_addr,
        'victim_namespace': dep.namespace(victim['compute_id']),
        'amphorae_before': sorted(by_addr),
        'amphorae_after': sorted(member_map(dep, after)),
        'stats': stats, 'statuses': statuses,
        'failed_requests': len(fails), 'total_requests': total,
        'retried_requests': sum(s['retried'] for s in stats.values()),
        'failed_elsewhere': sum(s['failed'] for a, s in stats.items()
                                if a != victim_addr),
        'victim_connections': stats.get(victim_addr, {}).get(
            'connections', 0),
        # From the kill until every connection is answered again: the
        # last failure, or the end of the last pause across the kill (a
        # retried SYN succeeds once the slots moved, without failing).
        'restore_ms': round(max([last_fail - t_kill] + [
            g[0] + g[1] - t_kill for r in result['connections']
            for g in r['gaps'] if g[0] <= t_kill + 1 and
            g[0] + g[1] >= t_kill]) * 1000),
        # The narrower figure: until the last failed request.
        'last_failure_ms': round((last_fail - t_kill) * 1000),
        'replaced_s': round(replaced_s, 2) if replaced_s else None,
        'workers': len(workers), 'workers_recovered': len(recovered),
        'failures_sample': sorted(fails)[:5],
        'max_gap_ms': round(max((g[1] for r in result['connections']
                                 for g in r['gaps'] if g[0] + g[1] >= t_kill),
                                default=0) * 1000),
    }


def _kill_one(dep, lb_id, mode, tries=5):
    """Kill the first IN_CLUSTER amphora (by id) the API lists now;
    another if the controller deleted it between the listing and the
    kill.  Returns (victim, its member address, {address: amphora}
    before, time of the kill)."""
    for _ in range(tries):
        by_addr = member_map(dep, dep.amphorae(lb_id))
        serving = sorted((a['id'], addr) for addr, a in by_addr.items()
                         if a['role'] == IN_CLUSTER)
        if serving:
            _, addr = serving[0]
            victim = by_addr[addr]
            t_kill = dep.kill_machine(victim['compute_id'], mode=mode)
            if t_kill is not None:
                return victim, addr, by_addr, t_kill
        time.sleep(0.5)
    raise AssertionError('no IN_CLUSTER amphora could be killed')


def resize(dep, lb_id, sizes=(5, 2), settle=2.0, timeout=120):
    """Resize under keep-alive load.  Failures are split between
    connections on amphorae that survive the whole run and the others
    (removed amphorae may drain their connections)."""
    steady(dep, lb_id)
    before = live(dep.amphorae(lb_id))
    seen = {a['id']: a for a in before}
    addr = {a['id']: dep.member_address(a) for a in before}
    load = dep.load()
    timings = []
    try:
        load.wait_ready()
        time.sleep(settle)
        for n in sizes:
            t = time.monotonic()
            dep.resize(lb_id, n)
            wait_lb(dep, lb_id, check=cluster_is(n), timeout=timeout,
                    what='cluster of %d+1, ACTIVE/ONLINE' % n)
            timings.append(round(time.monotonic() - t, 2))
            for a in live(dep.amphorae(lb_id)):
                seen.setdefault(a['id'], a)
                if a['id'] not in addr:
                    addr[a['id']] = dep.member_address(a)
            log('resized to %d in %.1f s' % (n, timings[-1]))
            time.sleep(settle)
    finally:
        result = load.stop()
    end = {a['id'] for a in live(dep.amphorae(lb_id))}
    survivors = {addr[i] for i in end}
    removed = {addr[i] for i in addr if i not in end}
    stats = D.by_amphora(result)
    last_change = result['ended'] - settle
    workers = {r['worker'] for r in result['connections']}
    recovered = {r['worker'] for r in result['connections']
                 if r['last'] and r['last'] > last_change}
    return {
        'sizes': list(sizes), 'seconds': timings,
        'cluster': dep.cluster(lb_id),
        'survivors': sorted(survivors), 'removed': sorted(removed),
        'stats': stats,
        'failed_on_survivors': sum(stats.get(a, {}).get('failed', 0)
                                   for a in survivors),
        'survivor_connections': sum(stats.get(a, {}).get('connections', 0)
                                    for a in survivors),
        'failed_on_removed': sum(s['failed'] for a, s in stats.items()
                                 if a not in survivors),
        'retried_on_survivors': sum(stats.get(a, {}).get('retried', 0)
                                    for a in survivors),
        'retried_on_removed': sum(s['retried'] for a, s in stats.items()
                                  if a not in survivors),
        'total_requests': sum(s['ok'] + s['failed']
                              for s in stats.values()),
        'workers': len(workers), 'workers_recovered': len(recovered),
    }


def failover_lb(dep, lb_id, settle=2.0, timeout=300):
    """A rolling load-balancer failover (the real CLI, --wait) under
    keep-alive load: every amphora is replaced, one after the other."""
    steady(dep, lb_id)
    before = {a['id'] for a in live(dep.amphorae(lb_id))}
    load = dep.load()
    try:
        load.wait_ready()
        time.sleep(settle)
        t = time.monotonic()
        dep.cli.run('loadbalancer', 'failover', '--wait', lb_id,
                    timeout=timeout)
        seconds = round(time.monotonic() - t, 2)
        log('rolling failover in %.1f s' % seconds)
        time.sleep(settle)
    finally:
        result = load.stop()
    stats = D.by_amphora(result)
    after = {a['id'] for a in live(dep.amphorae(lb_id))}
    last_change = result['ended'] - settle
    return {
        'seconds': seconds, 'replaced': len(before - after),
        'kept': len(before & after), 'stats': stats,
        'failed_requests': sum(s['failed'] for s in stats.values()),
        'retried_requests': sum(s['retried'] for s in stats.values()),
        'total_requests': sum(s['ok'] + s['failed']
                              for s in stats.values()),
        'workers': len({r['worker'] for r in result['connections']}),
        'workers_recovered': len({r['worker'] for r in result['connections']
                                  if r['last'] and r['last'] > last_change}),
    }


def kill_master_distributor(dep, lb_id, mode=D.Deployment.SILENT,
                            run_for=8.0, settle=2.0, revive=True,
                            timeout=90):
    """Kill the MASTER distributor (Deployment.KILL_MODES) under
    keep-alive load; the BACKUP carries the VIP.  The controller may
    replace the dead one while this runs: the step asks who is master at
    the moment of the kill and revives only what is still there."""
    steady(dep, lb_id)
    dep.wait_distributors(timeout=timeout)
    load = dep.load(gap=KILL_GAP)
    try:
        load.wait_ready()
        time.sleep(settle)
        master, holders, t_kill = _kill_master(dep, mode)
        log('killed MASTER distributor %s (%s)' % (master['id'], mode))
        time.sleep(run_for)
    finally:
        result = load.stop()
    fails = D.all_failures(result)
    last_fail = max((f[0] for f in fails), default=t_kill)
    by_worker = {}
    for r in result['connections']:
        by_worker.setdefault(r['worker'], []).append(r)
    # Longest pause between two answers of a worker across the kill.
    gaps = [g[1] for r in result['connections'] for g in r['gaps']
            if g[0] <= t_kill + 1 and g[0] + g[1] >= t_kill]
    recovered = {r['worker'] for r in result['connections']
                 if r['last'] and r['last'] > t_kill + run_for - settle}
    out = {'master': master['id'], 'mode': mode,
           'api_role_of_master': master['role'],
           'failed_requests': len(fails),
           'total_requests': sum(r['ok'] + len(r['failures'])
                                 for r in result['connections']),
           'last_failure_ms': round((last_fail - t_kill) * 1000)
           if fails else 0,
           'max_gap_ms': round(max(gaps, default=0) * 1000),
           'workers_paused': len(gaps),
           'vip_holders_before': holders,
           'master_namespace': dep.namespace(master['compute_id']),
           'workers': len(by_worker), 'workers_recovered': len(recovered),
           'failures_sample': fails[:5]}
    if revive:
        out.update(_revive_distributor(dep, lb_id, master, timeout))
    return out


def _kill_master(dep, mode, tries=5):
    """Kill the distributor that holds the VIP now.  The agents' VRRP
    state (who put the VIP on an interface) is the truth at this
    moment; the API's role may lag a takeover, so it is only asked which
    distributors exist.  Returns (master, VIP holders, time of the
    kill)."""
    for _ in range(tries):
        holding = vip_holders(dep)
        if len(holding) == 1:
            (ns, master), = holding.items()
            t_kill = dep.kill_machine(master['compute_id'], mode=mode)
            if t_kill is not None:
                return master, [ns], t_kill
        time.sleep(0.5)
    raise AssertionError('no single distributor holds the VIP %s'
                         % dep.vip)


def _revive_distributor(dep, lb_id, master, timeout):
    """The machine comes back (links up; the compute driver's supervisor
    restarted its agent), so the deployment is whole again for the next
    step; unless the controller already replaced it (its namespace is
    gone), then only wait for the pair."""
    out = {'replaced_by_controller': not dep.revive_links(
        master['compute_id'])}
    t = time.monotonic()
    try:
        dep.wait_distributors(timeout=timeout)
        out['revived_s'] = round(time.monotonic() - t, 2)
        wait_lb(dep, lb_id, timeout=timeout,
                what='load balancer ACTIVE/ONLINE after the revival')
        out['lb_active_after_revive_s'] = round(time.monotonic() - t, 2)
    except AssertionError:
        out['revived_s'] = None
        out['distributors_after'] = [(d['role'], d['status'])
                                     for d in dep.distributors()]
    return out


def vip_holders(dep):
    """{namespace: distributor} of the distributors with the VIP on an
    interface now."""
    out = {}
    for d in dep.distributors():
        ns = dep.namespace(d['compute_id'])
        if any(a == dep.vip for _, a in
               dep.ns_addresses(ns, missing_ok=True)):
            out[ns] = d
    return out


def delete_lb(dep, lb, timeout=60):
    # While the load balancer exists, leaks() must see all of it (so an
    # empty answer afterwards means something).
    steady(dep, lb['id'])
    before = dep.leaks(lb['id'], lb['vip'])
    t = time.monotonic()
    dep.cli.run('loadbalancer', 'delete', '--cascade', '--wait', lb['id'])
    deleted_s = time.monotonic() - t
    empty = {'namespaces': [], 'processes': {}, 'links': [], 'nftables': [],
             'addresses': [], 'rows': {}}
    try:
        D.wait_for(lambda: dep.leaks(lb['id'], lb['vip']) == empty,
                   timeout=timeout, interval=0.5, what='nothing left')
    except AssertionError:
        pass
    leaks = dep.leaks(lb['id'], lb['vip'])
    return {'deleted_s': round(deleted_s, 2), 'leaks': leaks,
            'before': {k: len(v) for k, v in before.items()},
            'leaked': sum(len(v) for v in leaks.values())}
