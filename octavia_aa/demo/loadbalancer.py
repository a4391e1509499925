"""The demo's load balancer through the real `openstack loadbalancer`
CLI: create it, send traffic and show who answered, kill an amphora,
clean up."""
import collections
import datetime
import ipaddress
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time
import urllib.request

from octavia_aa.demo import common
from octavia_aa.demo import namespaces
from octavia_aa.demo import scripts


class Cli:

    def __init__(self, endpoint, quiet=False):
        self.endpoint = endpoint
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env.update(OS_AUTH_TYPE='none', OS_ENDPOINT=endpoint)
        here = os.path.join(os.path.dirname(sys.executable), 'openstack')
        self.binary = (here if os.access(here, os.X_OK)
                       else shutil.which('openstack'))
        if not self.binary:
            raise common.DemoError(
                'the openstack CLI is not installed: pip install '
                'python-openstackclient python-octaviaclient '
                '(tools/install.sh installs both)')
        self.quiet = quiet

    def run(self, *args, ok=True, show=True, timeout=900):
        cmd = ['openstack', 'loadbalancer', *args]
        if show and not self.quiet:
            common.show_command(cmd)
        proc = subprocess.run([self.binary] + cmd[1:], env=self.env,
                              capture_output=True, text=True,
                              timeout=timeout)
        if ok and proc.returncode:
            raise common.DemoError('%s failed (exit %d):\n%s%s' % (
                shlex.join(cmd), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, show=True):
        out = self.run(*args, '-f', 'json', show=show).stdout
        return json.loads(out) if out.strip() else None

    def api_seconds(self, path):
        """How long the service took on the object at `path` (say
        'loadbalancers/ID'): from the API accepting it (created_at) to
        its last change, ACTIVE (updated_at).  The CLI's own start-up
        (a second or more of Python imports per command) is not in it."""
        url = '%s/v2/lbaas/%s' % (self.endpoint.rstrip('/'), path)
        with urllib.request.urlopen(url, timeout=30) as resp:
            obj = next(iter(json.load(resp).values()))
        # updated_at is None for an object never changed since.
        created, updated = (
            datetime.datetime.fromisoformat(
                (obj[k] or obj['created_at']).rstrip('Z'))
            for k in ('created_at', 'updated_at'))
        return (updated - created).total_seconds()

    def create_timed(self, kind, collection, *args):
        """`openstack loadbalancer KIND create ARGS --wait`, then one line
        with how long the service took (api_seconds) and the whole
        command (the CLI's start-up included)."""
        started = time.monotonic()
        obj = self.json(kind, 'create', *args, '--wait') \
            if kind else self.json('create', *args, '--wait')
        wall = time.monotonic() - started
        common.say('  ACTIVE %.1f s after the API accepted it (the command '
                   'took %.1f s with the CLI\'s start-up)'
                   % (self.api_seconds('%s/%s' % (collection, obj['id'])),
                      wall))
        return obj

    def find(self, kind, name):
        """The object of this kind and name, or None (silently)."""
        found = self.json(kind, 'list', show=False) or []
        for item in found:
            if item.get('name') == name:
                return item
        return None


def create(plan, cli):
    common.say('\n== 1. A flavor: the topology and size of the load balancer')
    # Left by an earlier run that stopped half-way: use them.
    if cli.find('flavorprofile', common.PROFILE):
        common.say('  (flavor profile %s exists)' % common.PROFILE)
    else:
        cli.run('flavorprofile', 'create', '--name', common.PROFILE,
                '--provider', 'amphora',
                '--flavor-data', json.dumps(common.FLAVOR_DATA))
    if cli.find('flavor', common.FLAVOR):
        common.say('  (flavor %s exists)' % common.FLAVOR)
    else:
        cli.run('flavor', 'create', '--name', common.FLAVOR,
                '--flavorprofile', common.PROFILE, '--enable')

    common.say('\n== 2. The load balancer (the worker builds 3 amphorae '
               'and a standby; --wait returns when it is ACTIVE)')
    cli.create_timed(None, 'loadbalancers', '--name', common.LB,
                     '--flavor', common.FLAVOR,
                     '--vip-subnet-id', plan.vip_subnet.name)

    common.say('\n== 3. A listener, a pool and the members')
    cli.create_timed('listener', 'listeners', '--name', common.LISTENER,
                     '--protocol', 'HTTP', '--protocol-port', '80',
                     common.LB)
    pool = cli.create_timed('pool', 'pools', '--name', common.POOL,
                            '--listener', common.LISTENER, '--protocol',
                            'HTTP', '--lb-algorithm', 'ROUND_ROBIN')
    for name, ip in zip(common.MEMBERS, plan.member_ips):
        cli.create_timed('member', 'pools/%s/members' % pool['id'],
                         '--name', name, '--subnet-id',
                         plan.member_subnet.name, '--address', ip,
                         '--protocol-port', str(common.MEMBER_PORT),
                         common.POOL)


def amphorae(plan, cli, lb_id):
    """[(id, role, status, member-subnet address or None)]"""
    rows = cli.json('amphora', 'list', '--loadbalancer', lb_id) or []
    net = ipaddress.ip_network(plan.member_subnet.cidr)
    result = []
    for row in rows:
        ns = plan.links.namespace_name(plan.prefix, row['id'])
        address = None
        cmd = ['ip', '-n', ns, '-j', 'addr']
        common.show_command(cmd)
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=30)
        if proc.returncode == 0 and proc.stdout.strip():
            for link in json.loads(proc.stdout):
                for info in link.get('addr_info', []):
                    local = info.get('local')
                    if local and ipaddress.ip_address(local) in net:
                        address = local
        result.append((row['id'], row.get('role') or '',
                       row.get('status') or '', address))
    return result


def traffic(plan, cli, requests, warmup=30.0):
    common.say('\n== %d requests to the VIP from %s'
               % (requests, plan.client_ns))
    lb = cli.json('show', common.LB)
    vip = lb['vip_address']
    common.say('  VIP %s, load balancer %s/%s' % (
        vip, lb['provisioning_status'], lb['operating_status']))
    amps = amphorae(plan, cli, lb['id'])
    proc = namespaces.run(
        sys.executable, '-c', scripts.CLIENT, vip, '80', str(requests),
        str(warmup), ns=plan.client_ns, timeout=warmup + 4 * requests + 30,
        what='the client')
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    if isinstance(results, dict):
        raise common.DemoError(
            'the VIP %s did not answer within %.0f s (last: %s)'
            % (vip, warmup, results['warmup']))
    by_peer = collections.defaultdict(collections.Counter)
    errors = collections.Counter()
    for r in results:
        if r.get('status') == 200:
            by_peer[r['peer']][r['member']] += 1
        else:
            errors[r.get('error') or 'HTTP %s' % r.get('status')] += 1

    common.say()
    header = ('amphora', 'role', 'status', 'address', 'requests', 'members')
    rows = []
    known = set()
    served = 0
    for amp_id, role, status, address in amps:
        members = by_peer.get(address, collections.Counter())
        known.add(address)
        count = sum(members.values())
        served += bool(count)
        rows.append((amp_id, role, status, address or '-', str(count),
                     ', '.join('%s %d' % kv for kv in sorted(
                         members.items()))))
    for peer, members in sorted(by_peer.items()):
        if peer not in known:
            rows.append(('(unknown)', '', '', peer,
                         str(sum(members.values())),
                         ', '.join('%s %d' % kv for kv in sorted(
                             members.items()))))
    widths = [max(len(r[i]) for r in rows + [header])
              for i in range(len(header))]
    for row in [header] + rows:
        common.say('  ' + '  '.join(
            cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    ok = sum(1 for r in results if r.get('status') == 200)
    common.say()
    common.say('%d amphorae served %d of %d requests' % (served, ok, requests))
    for error, count in errors.most_common():
        common.say('  %d failed: %s' % (count, error))
    return served, ok, vip


def hints(plan, vip, endpoint):
    prog = sys.argv[0] if os.path.basename(sys.argv[0]) == 'octavia-aa-demo' \
        else 'octavia-aa-demo'
    common.say('''
Try it yourself (the member servers keep running):
  ip netns exec %(client)s curl http://%(vip)s/
  export OS_AUTH_TYPE=none OS_ENDPOINT=%(endpoint)s
  openstack loadbalancer amphora list --loadbalancer %(lb)s
Kill an amphora, send the requests again and watch it be replaced:
  %(prog)s%(cf)s --kill-amphora
Clean up:
  %(prog)s%(cf)s --cleanup''' % {
        'client': plan.client_ns, 'vip': vip, 'lb': common.LB, 'prog': prog,
        'endpoint': endpoint, 'cf': plan.cf_arg})


def kill_amphora(plan, cli, amphora_id, requests):
    """A dead amphora: every process of its namespace SIGKILLed and its
    links down (the compute driver would restart a dead agent alone)."""
    lb = find_lb(cli)
    if not lb:
        raise common.DemoError(
            'no demo load balancer: run octavia-aa-demo first')
    rows = cli.json('amphora', 'list', '--loadbalancer', lb['id'])
    live = [r for r in rows if r.get('status') not in ('DELETED',
                                                       'PENDING_DELETE')]
    if amphora_id:
        victim = next((r for r in live if r['id'].startswith(amphora_id)),
                      None)
    else:
        victim = next((r for r in live if r.get('role') == 'IN_CLUSTER'),
                      None)
    if victim is None:
        raise common.DemoError('no such live amphora: %s'
                               % (amphora_id or 'IN_CLUSTER'))
    ns = plan.links.namespace_name(plan.prefix, victim['id'])
    common.say('\n== Killing amphora %s (%s): all its processes, then '
               'its links' % (victim['id'], victim.get('role')))
    cmd = ['ip', 'netns', 'pids', ns]
    common.show_command(cmd)
    pids = [int(p) for p in namespaces.run(*cmd).stdout.split()]
    if pids:
        common.show_command(['kill', '-9'] + [str(p) for p in pids])
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    killed = time.monotonic()
    links = json.loads(
        namespaces.run('ip', '-n', ns, '-j', 'link').stdout or '[]')
    for link in links:
        if link['ifname'] != 'lo':
            cmd = ['ip', '-n', ns, 'link', 'set', link['ifname'], 'down']
            common.show_command(cmd)
            namespaces.run(*cmd)
    common.say('  killed; the distributor moves its flows to the standby '
               'at once')
    common.show_command(['openstack', 'loadbalancer', 'show', common.LB,
                         '-c', 'provisioning_status',
                         '-c', 'operating_status'])
    lb = cli.json('show', common.LB, show=False) or {}
    common.say('  %.1f s after the kill: %s/%s' % (
        time.monotonic() - killed, lb.get('provisioning_status'),
        lb.get('operating_status')))
    traffic(plan, cli, requests, warmup=0)

    common.say('\n== The cluster manager replaces it (polling every 2 s)')
    common.show_command(['openstack', 'loadbalancer', 'show', common.LB])
    common.show_command(['openstack', 'loadbalancer', 'amphora', 'list',
                         '--loadbalancer', common.LB])
    last = None
    done = False
    deadline = time.monotonic() + 300
    while not done and time.monotonic() < deadline:
        lb = cli.json('show', common.LB, show=False) or {}
        amps = [a for a in cli.json('amphora', 'list', '--loadbalancer',
                                    lb.get('id', common.LB), show=False) or []
                if a.get('status') not in ('DELETED',)]
        roles = collections.Counter(
            '%s %s' % (a.get('role'), a.get('status')) for a in amps)
        state = '%s/%s; amphorae: %s' % (
            lb.get('provisioning_status'), lb.get('operating_status'),
            ', '.join('%d %s' % (n, r) for r, n in sorted(roles.items())))
        if state != last:
            common.say('  %5.1f s  %s' % (time.monotonic() - killed, state))
            last = state
        done = (lb.get('provisioning_status') == 'ACTIVE'
                and lb.get('operating_status') == 'ONLINE'
                and victim['id'] not in {a['id'] for a in amps}
                and all(a.get('status') == 'ALLOCATED' for a in amps))
        if not done:
            time.sleep(2)
    if not done:
        common.say('  not back to ACTIVE/ONLINE with a full cluster after '
                   '300 s')
    return done


def cleanup(plan, cli):
    failed = []
    common.say('== Deleting the demo load balancer, flavor and namespaces')
    try:
        if find_lb(cli):
            cli.run('delete', '--cascade', '--wait', common.LB)
        if cli.find('flavor', common.FLAVOR):
            cli.run('flavor', 'delete', common.FLAVOR)
        if cli.find('flavorprofile', common.PROFILE):
            cli.run('flavorprofile', 'delete', common.PROFILE)
    except (common.DemoError, subprocess.TimeoutExpired, OSError) as exc:
        failed.append(str(exc))
    namespaces.stop_members(plan)
    try:
        namespaces.remove_namespaces(plan)
    except Exception as exc:   # report, the rest is done already
        failed.append('namespaces: %s' % exc)
    for error in failed:
        common.say('error: %s' % error)
    return not failed


def find_lb(cli):
    for item in cli.json('list', show=False) or []:
        if item.get('name') == common.LB:
            return item
    return None
