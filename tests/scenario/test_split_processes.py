"""The controller as separate processes: octavia-aa-api, two
octavia-aa-worker and octavia-aa-health-manager on the real RabbitMQ,
MariaDB and Redis (jobboard), with the netns data plane, driven by the
real `openstack` CLI.

One ACTIVE_ACTIVE load balancer (3 + 1) serves traffic through its VIP
from all three active amphorae; the health manager process marks them
ONLINE from their heartbeats.  Then the worker running a second load
balancer's create is SIGKILLed half-way: the other worker finishes it
(the jobboard claim lapses, or the cluster manager takes the load
balancer over), so it ends ACTIVE or ERROR, never stuck PENDING_*; the
killed worker then starts again and changes nothing.  A cascade delete of
both leaves nothing behind, the distributors stay ACTIVE, and no worker
ever restarted an agent (none died: a restart is a duplicate agent).
Runs twice: with the Redis jobboard and with the cluster manager's
take-over alone.
"""
import json
import os
import shutil
import time

import pytest

from tests.scenario import deployment
from tests.scenario import split

pytestmark = pytest.mark.slow

wait_for = deployment.wait_for
PENDING = ('PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE')
FLAVOR_DATA = {'loadbalancer_topology': 'ACTIVE_ACTIVE',
               'cluster_desired_size': 3, 'cluster_min_size': 2}


def roles(amps):
    return sorted(a['role'] for a in amps)


def serving_amphorae(dep, sources, rounds=2):
    """Member addresses of the amphorae that answered GETs of the VIP
    from every source address; also checks that members answered."""
    peers = {}
    for _ in range(rounds):
        for src in sources:
            answer = dep.get(source=src)
            assert answer['member'].startswith('member'), answer
            peers.setdefault(answer['peer'], 0)
            peers[answer['peer']] += 1
    return peers


def claim_owner(dep, lb_id):
    rows = dep.db_rows('SELECT owner FROM controller_claim WHERE '
                       'load_balancer_id = :i AND expires_at >= '
                       'UTC_TIMESTAMP()', i=lb_id)
    return rows[0]['owner'] if rows else None


def health_rows(dep, lb_id):
    return {r['amphora_id']: r['last_update'] for r in dep.db_rows(
        'SELECT h.amphora_id, h.last_update FROM amphora_health h JOIN '
        'amphora a ON a.id = h.amphora_id WHERE a.load_balancer_id = :i',
        i=lb_id)}


def snapshot(dep, amps, label):
    """Copy the agents' logs of these amphorae next to the service's
    (a delete removes their directories; OAA_SCENARIO_LOGS keeps them)."""
    dest = os.path.join(dep.tmp, 'snapshot-' + label)
    for amp in amps:
        src = os.path.join(dep.state, 'netns', amp.get('compute_id') or '-')
        if not os.path.isdir(src):
            continue
        os.makedirs(os.path.join(dest, amp['id']), exist_ok=True)
        for name in os.listdir(src):
            if name.endswith(('.log', '.out', '.json', '.conf', '.pid')):
                shutil.copy(os.path.join(src, name),
                            os.path.join(dest, amp['id'], name))
    with open(os.path.join(dest + '.log'), 'w') as f:
        json.dump(amps, f, indent=1)


def supervisor_restarts(dep):
    found = []
    for name, proc in sorted(dep.processes.items()):
        if name.startswith('worker-'):
            with open(proc.log, errors='replace') as f:
                found += ['%s: %s' % (name, line.strip()[:200])
                          for line in f if 'agent died, restarting' in line]
    return found


def assert_no_leaks(dep, lb_id, vip, within=30):
    deadline = time.monotonic() + within
    while True:
        found = dep.leaks(lb_id, vip)
        if not any(found.values()) or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert not any(found.values()), found


@pytest.fixture(params=['jobboard', 'cluster-manager'])
def dep(request, tmp_path):
    # With the Redis jobboard another worker's conductor resumes the job
    # once the dead one's claim lapses; without it the other worker's
    # cluster manager adopts the dead worker's persisted flow after
    # [cluster_manager] pending_timeout.
    d = split.SplitDeployment(str(tmp_path),
                              jobboard=request.param == 'jobboard')
    d.start(timeout=180)
    try:
        yield d
    finally:
        d.close()
        # What the deployment made on the machine's services is gone.
        assert d.databases() == []
        assert d.vhost not in split.rabbitmqctl('list_vhosts').stdout.split()
        assert d.redis_keys() == []


@pytest.mark.timeout(1200)
def test_split_processes(dep):
    cli = dep.cli
    procs = dep.processes
    assert sorted(procs) == ['api', 'health-manager', 'worker-1', 'worker-2']
    assert len({p.pid for p in procs.values()}) == 4
    # The distributor pair was built by a worker process, over RabbitMQ.
    dists = {d['id']: d for d in dep.distributors()}
    assert sorted(d['role'] for d in dists.values()) == ['BACKUP', 'MASTER']
    assert set(dists) == set(dep.distributor_ids)

    # -- an ACTIVE_ACTIVE load balancer through the separate API ----------
    cli.json('loadbalancer', 'flavorprofile', 'create', '--name', 'aa',
             '--provider', 'amphora', '--flavor-data',
             json.dumps(FLAVOR_DATA))
    cli.json('loadbalancer', 'flavor', 'create', '--name', 'gold',
             '--flavorprofile', 'aa', '--enable')
    lb = cli.json('loadbalancer', 'create', '--name', 'lb1', '--flavor',
                  'gold', '--vip-subnet-id', deployment.VIP_SUBNET, '--wait')
    assert lb['provisioning_status'] == 'ACTIVE', lb
    lb_id = lb['id']
    dep.vip = lb['vip_address']
    amps = cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                    lb_id)
    assert roles(amps) == ['IN_CLUSTER'] * 3 + ['IN_CLUSTER_STANDBY'], amps
    cli.json('loadbalancer', 'listener', 'create', '--name', 'web',
             '--protocol', 'HTTP', '--protocol-port', '80', lb_id, '--wait')
    cli.json('loadbalancer', 'pool', 'create', '--name', 'pool1',
             '--listener', 'web', '--protocol', 'HTTP', '--lb-algorithm',
             'ROUND_ROBIN', '--wait')
    for i, address in enumerate(dep.member_addresses()):
        cli.json('loadbalancer', 'member', 'create', '--name', 'm%d' % i,
                 '--subnet-id', deployment.MEMBER_SUBNET, '--address',
                 address, '--protocol-port', str(deployment.MEMBER_PORT),
                 'pool1', '--wait')

    # -- traffic through the VIP, answered by all three active amphorae ---
    amps = dep.amphorae(lb_id)
    active = {dep.member_address(a): a['id'] for a in amps
              if a['role'] == 'IN_CLUSTER'}
    standby = [dep.member_address(a) for a in amps
               if a['role'] == 'IN_CLUSTER_STANDBY']
    assert len(active) == 3 and len(standby) == 1
    peers = wait_for(lambda: serving_amphorae(dep, deployment.CLIENT_ADDRS),
                     timeout=60, interval=1, what='the VIP to answer')
    assert set(peers) == set(active), (peers, active, standby)

    # -- the health manager process marks them ONLINE from heartbeats ----
    first = wait_for(lambda: len(health_rows(dep, lb_id)) == 4 and
                     health_rows(dep, lb_id), timeout=60, interval=1,
                     what='a heartbeat from each amphora')
    wait_for(lambda: all(t > first[a] for a, t in
                         health_rows(dep, lb_id).items()),
             timeout=30, interval=0.5, what='heartbeats to keep coming')
    wait_for(lambda: cli.json('loadbalancer', 'show', lb_id)[
        'operating_status'] == 'ONLINE', timeout=60, interval=1,
        what='lb1 ONLINE')
    assert cli.json('loadbalancer', 'listener', 'show', 'web')[
        'operating_status'] == 'ONLINE'
    assert dep.processes['health-manager'].alive()

    # -- SIGKILL the worker in the middle of a second create -------------
    # The id from the create's own answer: the amphorae boot in parallel,
    # and a second CLI call (seconds of start-up) outlasted the build.
    lb2_id = cli.json('loadbalancer', 'create', '--name', 'lb2', '--flavor',
                      'gold', '--vip-subnet-id', deployment.VIP_SUBNET)['id']

    def mid_create():
        # Straight from the database, two queries a poll: the amphorae
        # boot in parallel, so the window between the first machine built
        # (its compute id recorded) and ACTIVE is a few seconds at most.
        state = dep.db_rows('SELECT provisioning_status FROM load_balancer '
                            'WHERE id = :i', i=lb2_id)[0]
        assert state['provisioning_status'] == 'PENDING_CREATE', (
            'lb2 ended %s before a worker could be killed' % state)
        built = [r for r in dep.db_rows(
            'SELECT compute_id FROM amphora WHERE load_balancer_id = :i',
            i=lb2_id) if r['compute_id']]
        owner = built and claim_owner(dep, lb2_id)
        return owner and dep.worker_named(owner)
    victim = wait_for(mid_create, timeout=120, interval=0.02,
                      what='lb2 half built under a worker\'s claim')
    killed_at = time.monotonic()
    dep.kill(victim)
    survivor = ({'worker-1', 'worker-2'} - {victim}).pop()

    # Finished by the other worker, or ended: never left PENDING_*.
    settle = (dep.claim_timeout + dep.jobboard_expiration_time +
              dep.pending_timeout + 240)
    ended = wait_for(lambda: (dep.check_service() or True) and
                     dep.load_balancer(lb2_id)['provisioning_status']
                     not in PENDING and dep.load_balancer(lb2_id),
                     timeout=settle, interval=1,
                     what='lb2 to leave PENDING_CREATE after %s died'
                     % victim)
    took = time.monotonic() - killed_at
    print('lb2 ended %s %.1fs after %s was killed (fault %r)'
          % (ended['provisioning_status'], took, victim,
             ended.get('fault')))
    lb2_amps = dep.amphorae(lb2_id)
    snapshot(dep, lb2_amps, 'lb2')
    assert ended['provisioning_status'] in ('ACTIVE', 'ERROR'), ended
    if ended['provisioning_status'] == 'ACTIVE':
        assert roles(lb2_amps) == ['IN_CLUSTER'] * 3 + [
            'IN_CLUSTER_STANDBY'], lb2_amps
        assert all(a['status'] == 'ALLOCATED' for a in lb2_amps), lb2_amps
    else:
        assert ended.get('fault'), ended
    # Nothing of either load balancer is left PENDING_* or claimed.
    wait_for(lambda: claim_owner(dep, lb2_id) is None, timeout=60,
             interval=1, what='the claim on lb2 to be released')
    assert dep.load_balancer(lb_id)['provisioning_status'] == 'ACTIVE'
    # lb1 still serves, its agents outlived the worker that started them.
    assert dep.get()['member'].startswith('member')
    assert dep.processes[survivor].alive()

    # The dead worker comes back (same host name): what it left behind
    # was finished by the other one, so it changes nothing.
    dep.restart(victim)
    time.sleep(3 * dep.reconcile_interval + 2)
    dep.check_service()
    again = dep.load_balancer(lb2_id)
    assert again['provisioning_status'] == ended['provisioning_status'], (
        again, ended)
    assert sorted(a['id'] for a in dep.amphorae(lb2_id)) == sorted(
        a['id'] for a in lb2_amps)
    assert dep.load_balancer(lb_id)['provisioning_status'] == 'ACTIVE'
    assert dep.get()['member'].startswith('member')

    # -- cascade deletes leave nothing ----------------------------------
    for lid in (lb2_id, lb_id):
        cli.run('loadbalancer', 'delete', '--cascade', '--wait', lid)
        assert lid not in [x['id'] for x in cli.json('loadbalancer',
                                                     'list')]
    assert_no_leaks(dep, lb2_id, ended['vip_address'])
    assert_no_leaks(dep, lb_id, dep.vip)
    assert dep.amphorae(lb_id) == [] and dep.amphorae(lb2_id) == []
    # The distributors stay ACTIVE, with no load balancer on them.
    for d in dep.distributors():
        assert d['status'] == 'ACTIVE' and d['load_balancers'] == [], d

    # No agent died in this scenario (a dead worker leaves its agents
    # running), so no worker may have restarted one: a restart here is a
    # second agent started next to a live one.
    assert supervisor_restarts(dep) == []
