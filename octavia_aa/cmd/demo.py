"""octavia-aa-demo: an active-active load balancer in one step.

Against a running octavia-aa-all with the netns data plane it:

* starts three small HTTP member servers in the namespace
  ``<prefix>-demo-members`` on the member subnet's bridge (addresses below
  the IPAM allocation range, so no port is ever handed them), each answering
  with its name and the address the request came from;
* makes the client namespace ``<prefix>-demo-client`` on the VIP subnet's
  bridge;
* creates, with the real ``openstack loadbalancer`` commands (printed
  before they run), a flavor profile and flavor (ACTIVE_ACTIVE, 3 amphorae,
  at least 2), a load balancer, an HTTP listener, a pool and the members;
* sends requests to the VIP from the client namespace and prints which
  amphora served how many (the member sees the amphora's member-subnet
  address as the peer).

``--traffic`` only sends the requests again (e.g. after killing an
amphora); ``--cleanup`` deletes everything the demo made.  The member
servers keep running after the demo exits, so ``ip netns exec
<prefix>-demo-client curl http://VIP/`` works until ``--cleanup``.
"""
import argparse
import collections
import ipaddress
import json
import os
import shlex
import shutil
import signal
import subprocess
import sys
import time

from octavia_aa.common import config
from octavia_aa.compute.drivers import netns_opts

CONF = config.CONF

LB = 'demo-lb'
LISTENER = 'demo-http'
POOL = 'demo-pool'
FLAVOR = 'demo-aa'
PROFILE = 'demo-aa'
MEMBERS = ('member1', 'member2', 'member3')
MEMBER_PORT = 8080
FLAVOR_DATA = {'loadbalancer_topology': 'ACTIVE_ACTIVE',
               'cluster_desired_size': 3, 'cluster_min_size': 2,
               # One client address: spread its connections by source port
               # too (the default SOURCE_IP keeps them on one amphora).
               'distributor_affinity': 'SOURCE_IP_PORT'}
MARKER = 'octavia-aa-demo-member'

# Runs in the member namespace, one process per member address; only the
# standard library, so any python3 will do.
MEMBER_SERVER = r'''
import http.server, socket, sys
ip, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True

    def do_GET(self):
        peer = self.client_address[0]
        body = ('%s (%s) answered; the request came from %s\n'
                % (name, ip, peer)).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Member', name)
        self.send_header('X-Peer', peer)
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    address_family = socket.AF_INET6 if ':' in ip else socket.AF_INET

    def handle_error(self, request, client_address):
        pass

Server((ip, port), Handler).serve_forever()
'''

# Runs in the client namespace: N requests, a new connection each (so a
# new source port each), one JSON line with what answered.
CLIENT = r'''
import http.client, json, sys, time
vip, port, n, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4])

def one():
    c = http.client.HTTPConnection(vip, port, timeout=3)
    try:
        c.request('GET', '/')
        r = c.getresponse()
        r.read()
        return {'status': r.status, 'member': r.getheader('X-Member'),
                'peer': r.getheader('X-Peer')}
    finally:
        c.close()

# Wait (up to warmup seconds) for a first answer.
deadline = time.monotonic() + warmup
while warmup > 0:
    try:
        last = one()
        if last['status'] == 200:
            break
    except Exception as exc:
        last = '%s: %s' % (type(exc).__name__, exc)
    if time.monotonic() > deadline:
        print(json.dumps({'warmup': str(last)}))
        sys.exit(0)
    time.sleep(0.2)
out = []
for _ in range(n):
    try:
        out.append(one())
    except Exception as exc:
        out.append({'error': '%s: %s' % (type(exc).__name__, exc)})
print(json.dumps(out))
'''

# Runs in the member namespace: wait until every server accepts.
WAIT_LISTEN = r'''
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[1])
port = int(sys.argv[2])
for ip in sys.argv[3:]:
    while True:
        try:
            socket.create_connection((ip, port), 0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit('%s:%d does not accept connections' % (ip, port))
            time.sleep(0.05)
'''


class DemoError(Exception):
    pass


def say(text=''):
    print(text, flush=True)


def show_command(cmd):
    say('$ ' + shlex.join(cmd))


# -- configuration ---------------------------------------------------------

def load_config(config_file):
    netns_opts.register_opts(CONF)
    # The service's config, but not its logging: the demo talks on
    # stdout and never writes into the service's log file.
    for name, value in (('debug', False), ('log_file', None),
                        ('log_dir', None), ('use_syslog', False),
                        ('use_journal', False), ('use_json', False),
                        ('use_stderr', True)):
        if name in CONF:
            CONF.set_override(name, value)
    argv = ['--config-file', config_file] if config_file else []
    config.init(argv)


class Plan:
    """Names and addresses of this demo, derived from the configuration."""

    def __init__(self, args):
        from octavia_aa.network import subnets
        from octavia_aa.network.drivers import netns_links as links
        self.prefix = CONF.netns.name_prefix
        self.state_dir = os.path.join(CONF.state_path, 'demo')
        self.pid_file = os.path.join(self.state_dir, 'members.pids')
        self.bridge_file = os.path.join(self.state_dir, 'bridges')
        self.member_ns = '%s-demo-members' % self.prefix
        self.client_ns = '%s-demo-client' % self.prefix
        self.member_veth = links.veth_name(self.prefix, 'demo-members')
        self.client_veth = links.veth_name(self.prefix, 'demo-client')
        self.vip_subnet = self._subnet(subnets, args.vip_subnet)
        self.member_subnet = self._subnet(subnets, args.member_subnet)
        self.member_ips = self._free_addresses(self.member_subnet, 3)
        self.client_ip = self._free_addresses(self.vip_subnet, 1)[0]
        self.links = links

    @staticmethod
    def _subnet(subnets, name):
        try:
            return subnets.declared(name)
        except ValueError:
            raise DemoError('subnet %s is not configured (see [networking] '
                            'subnets and [subnet:%s])' % (name, name))

    @staticmethod
    def _free_addresses(subnet, count):
        """Addresses of subnet that IPAM never hands out: outside the
        allocation range and not the gateway, preferring .5 upwards."""
        net = ipaddress.ip_network(subnet.cidr)
        start = ipaddress.ip_address(subnet.allocation_start)
        end = ipaddress.ip_address(subnet.allocation_end)
        gateway = (ipaddress.ip_address(subnet.gateway_ip)
                   if subnet.gateway_ip else None)
        preferred = net.network_address + 5
        found = []
        for first in (preferred, net.network_address + 2):
            addr = first
            while len(found) < count and addr in net and addr < start:
                if (addr != gateway and addr not in found
                        and addr != net.broadcast_address):
                    found.append(addr)
                addr += 1
        if len(found) < count:
            addr = end + 1
            while len(found) < count and addr in net:
                if (addr != gateway and addr != net.broadcast_address
                        and addr not in found):
                    found.append(addr)
                addr += 1
        if len(found) < count:
            raise DemoError('subnet %s has no %d addresses outside its '
                            'allocation range %s-%s' % (
                                subnet.name, count, start, end))
        return [str(a) for a in sorted(found)[:count]]

    def bridge(self, subnet):
        return self.links.bridge_name(self.prefix, subnet.network_id)


# -- the openstack CLI ---------------------------------------------------

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
            raise DemoError(
                'the openstack CLI is not installed: pip install '
                'python-openstackclient python-octaviaclient (tools/install.sh '
                'installs both)')
        self.quiet = quiet

    def run(self, *args, ok=True, show=True, timeout=900):
        cmd = ['openstack', 'loadbalancer', *args]
        if show and not self.quiet:
            show_command(cmd)
        proc = subprocess.run([self.binary] + cmd[1:], env=self.env,
                              capture_output=True, text=True,
                              timeout=timeout)
        if ok and proc.returncode:
            raise DemoError('%s failed (exit %d):\n%s%s' % (
                shlex.join(cmd), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, show=True):
        out = self.run(*args, '-f', 'json', show=show).stdout
        return json.loads(out) if out.strip() else None

    def find(self, kind, name):
        """The object of this kind and name, or None (silently)."""
        found = self.json(kind, 'list', show=False) or []
        for item in found:
            if item.get('name') == name:
                return item
        return None


# -- namespaces and processes ----------------------------------------------

def _ip(*args, ns=None, check=True, timeout=60, what=None):
    cmd = (['ip', 'netns', 'exec', ns] if ns else []) + list(args)
    what = what or shlex.join(cmd)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise DemoError('%s timed out after %.0f s' % (what, timeout))
    if check and proc.returncode:
        raise DemoError('%s failed: %s' % (what, proc.stderr.strip()))
    return proc


def make_namespace(plan, ns, veth, subnet, addresses):
    links = plan.links
    net = ipaddress.ip_network(subnet.cidr)
    bridge = plan.bridge(subnet)
    if not os.path.exists('/sys/class/net/%s' % bridge):
        # The service makes it on its first port there; if the demo made
        # it, --cleanup removes it again (once it has no ports).
        os.makedirs(plan.state_dir, exist_ok=True)
        with open(plan.bridge_file, 'a') as f:
            f.write(bridge + '\n')
    links.ensure_bridge(bridge, subnet.mtu)
    links.ensure_namespace(ns)
    mac = links.mac_for(plan.prefix, veth)
    links.plug(ns, bridge, veth, 'eth0', mac, subnet.mtu,
               address=addresses[0], prefixlen=net.prefixlen)
    for address in addresses[1:]:
        _ip('ip', 'addr', 'replace', '%s/%d' % (address, net.prefixlen),
            'dev', 'eth0', ns=ns)
    say('  namespace %s on bridge %s (%s): %s' % (
        ns, bridge, subnet.name, ', '.join(addresses)))


def _starttime(pid):
    try:
        with open('/proc/%d/stat' % pid) as f:
            return f.read().rsplit(') ', 1)[1].split()[19]
    except (OSError, IndexError):
        return None


def _read_pids(plan):
    try:
        with open(plan.pid_file) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def start_members(plan):
    os.makedirs(plan.state_dir, exist_ok=True)
    running = {entry['ip'] for entry in _read_pids(plan)
               if _starttime(entry['pid']) == entry['start']}
    with open(plan.pid_file, 'a') as pids:
        for name, ip in zip(MEMBERS, plan.member_ips):
            if ip in running:
                continue
            log = open(os.path.join(plan.state_dir, '%s.log' % name), 'ab')
            proc = subprocess.Popen(
                ['ip', 'netns', 'exec', plan.member_ns, sys.executable,
                 '-c', MEMBER_SERVER, ip, str(MEMBER_PORT), name, MARKER],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, close_fds=True)
            log.close()
            # `ip netns exec` execs python in place: same PID.
            start = None
            for _ in range(50):
                start = _starttime(proc.pid)
                if start:
                    break
                time.sleep(0.01)
            pids.write(json.dumps({'pid': proc.pid, 'start': start,
                                   'ip': ip, 'name': name}) + '\n')
            pids.flush()
            say('  %s: http://%s:%d/ (pid %d)' % (name, ip, MEMBER_PORT,
                                                  proc.pid))
    _ip(sys.executable, '-c', WAIT_LISTEN, '10', str(MEMBER_PORT),
        *plan.member_ips, ns=plan.member_ns, what='the member servers')


def stop_members(plan):
    entries = [e for e in _read_pids(plan)
               if e.get('start') and _starttime(e['pid']) == e['start']]
    for entry in entries:
        say('  kill %d (%s)' % (entry['pid'], entry['name']))
        try:
            os.kill(entry['pid'], signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + 5
    for entry in entries:
        while (_starttime(entry['pid']) == entry['start']
               and time.monotonic() < deadline):
            time.sleep(0.05)
        if _starttime(entry['pid']) == entry['start']:
            try:
                os.kill(entry['pid'], signal.SIGKILL)
            except ProcessLookupError:
                pass
    try:
        os.unlink(plan.pid_file)
    except FileNotFoundError:
        pass


def remove_namespaces(plan):
    from octavia_aa.compute.drivers import netns as compute_netns
    for ns, veth in ((plan.member_ns, plan.member_veth),
                     (plan.client_ns, plan.client_veth)):
        if plan.links.namespace_exists(ns):
            left = compute_netns.namespace_pids(ns)
            if left:
                say('  note: processes not started by the demo still run '
                    'in %s: %s' % (ns, ' '.join(map(str, sorted(left)))))
            say('  remove namespace %s' % ns)
            plan.links.remove_namespace(ns)
        plan.links.remove_link(veth)
    try:
        with open(plan.bridge_file) as f:
            bridges = set(f.read().split())
    except FileNotFoundError:
        bridges = set()
    for bridge in sorted(bridges):
        if plan.links.bridge_ports(bridge):
            say('  bridge %s is in use by the service: left in place'
                % bridge)
        else:
            plan.links.remove_link(bridge)
    if os.path.exists(plan.bridge_file):
        os.unlink(plan.bridge_file)


# -- the load balancer -----------------------------------------------------

def create(plan, cli):
    say('\n== 1. A flavor: the topology and size of the load balancer')
    # Left by an earlier run that stopped half-way: use them.
    if cli.find('flavorprofile', PROFILE):
        say('  (flavor profile %s exists)' % PROFILE)
    else:
        cli.run('flavorprofile', 'create', '--name', PROFILE, '--provider',
                'amphora', '--flavor-data', json.dumps(FLAVOR_DATA))
    if cli.find('flavor', FLAVOR):
        say('  (flavor %s exists)' % FLAVOR)
    else:
        cli.run('flavor', 'create', '--name', FLAVOR, '--flavorprofile',
                PROFILE, '--enable')

    say('\n== 2. The load balancer (the worker builds 3 amphorae and a '
        'standby; --wait returns when it is ACTIVE)')
    started = time.monotonic()
    cli.run('create', '--name', LB, '--flavor', FLAVOR, '--vip-subnet-id',
            plan.vip_subnet.name, '--wait')
    say('  ACTIVE after %.0f s' % (time.monotonic() - started))

    say('\n== 3. A listener, a pool and the members')
    cli.run('listener', 'create', '--name', LISTENER, '--protocol', 'HTTP',
            '--protocol-port', '80', '--wait', LB)
    cli.run('pool', 'create', '--name', POOL, '--listener', LISTENER,
            '--protocol', 'HTTP', '--lb-algorithm', 'ROUND_ROBIN', '--wait')
    for name, ip in zip(MEMBERS, plan.member_ips):
        cli.run('member', 'create', '--name', name, '--subnet-id',
                plan.member_subnet.name, '--address', ip, '--protocol-port',
                str(MEMBER_PORT), '--wait', POOL)


def amphorae(plan, cli, lb_id):
    """[(id, role, status, member-subnet address or None)]"""
    rows = cli.json('amphora', 'list', '--loadbalancer', lb_id) or []
    net = ipaddress.ip_network(plan.member_subnet.cidr)
    result = []
    for row in rows:
        ns = plan.links.namespace_name(plan.prefix, row['id'])
        address = None
        cmd = ['ip', '-n', ns, '-j', 'addr']
        show_command(cmd)
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
    say('\n== %d requests to the VIP from %s' % (requests, plan.client_ns))
    lb = cli.json('show', LB)
    vip = lb['vip_address']
    say('  VIP %s, load balancer %s/%s' % (vip, lb['provisioning_status'],
                                          lb['operating_status']))
    amps = amphorae(plan, cli, lb['id'])
    proc = _ip(sys.executable, '-c', CLIENT, vip, '80', str(requests),
               str(warmup), ns=plan.client_ns,
               timeout=warmup + 4 * requests + 30, what='the client')
    results = json.loads(proc.stdout.strip().splitlines()[-1])
    if isinstance(results, dict):
        raise DemoError('the VIP %s did not answer within %.0f s (last: %s)'
                        % (vip, warmup, results['warmup']))
    by_peer = collections.defaultdict(collections.Counter)
    errors = collections.Counter()
    for r in results:
        if r.get('status') == 200:
            by_peer[r['peer']][r['member']] += 1
        else:
            errors[r.get('error') or 'HTTP %s' % r.get('status')] += 1

    say()
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
        say('  ' + '  '.join(cell.ljust(w)
                             for cell, w in zip(row, widths)).rstrip())
    ok = sum(1 for r in results if r.get('status') == 200)
    say()
    say('%d amphorae served %d of %d requests' % (served, ok, requests))
    for error, count in errors.most_common():
        say('  %d failed: %s' % (count, error))
    return served, ok, vip


def hints(plan, vip, endpoint):
    prog = sys.argv[0] if os.path.basename(sys.argv[0]) == 'octavia-aa-demo' \
        else 'octavia-aa-demo'
    say('''
Try it yourself (the member servers keep running):
  ip netns exec %(client)s curl http://%(vip)s/
  export OS_AUTH_TYPE=none OS_ENDPOINT=%(endpoint)s
  openstack loadbalancer amphora list --loadbalancer %(lb)s
Kill an amphora, send the requests again and watch it be replaced:
  %(prog)s%(cf)s --kill-amphora
Clean up:
  %(prog)s%(cf)s --cleanup''' % {
        'client': plan.client_ns, 'vip': vip, 'lb': LB, 'prog': prog,
        'endpoint': endpoint, 'cf': plan.cf_arg})


def kill_amphora(plan, cli, amphora_id, requests):
    """A dead amphora: every process of its namespace SIGKILLed and its
    links down (the compute driver would restart a dead agent alone)."""
    lb = _find_lb(cli)
    if not lb:
        raise DemoError('no demo load balancer: run octavia-aa-demo first')
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
        raise DemoError('no such live amphora: %s' % (amphora_id or
                                                      'IN_CLUSTER'))
    ns = plan.links.namespace_name(plan.prefix, victim['id'])
    say('\n== Killing amphora %s (%s): all its processes, then its links'
        % (victim['id'], victim.get('role')))
    cmd = ['ip', 'netns', 'pids', ns]
    show_command(cmd)
    pids = [int(p) for p in _ip(*cmd).stdout.split()]
    if pids:
        show_command(['kill', '-9'] + [str(p) for p in pids])
        for pid in pids:
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    killed = time.monotonic()
    links = json.loads(_ip('ip', '-n', ns, '-j', 'link').stdout or '[]')
    for link in links:
        if link['ifname'] != 'lo':
            cmd = ['ip', '-n', ns, 'link', 'set', link['ifname'], 'down']
            show_command(cmd)
            _ip(*cmd)
    say('  killed; the distributor moves its flows to the standby at once')
    show_command(['openstack', 'loadbalancer', 'show', LB, '-c',
                  'provisioning_status', '-c', 'operating_status'])
    lb = cli.json('show', LB, show=False) or {}
    say('  %.1f s after the kill: %s/%s' % (
        time.monotonic() - killed, lb.get('provisioning_status'),
        lb.get('operating_status')))
    traffic(plan, cli, requests, warmup=0)

    say('\n== The cluster manager replaces it (polling every 2 s)')
    show_command(['openstack', 'loadbalancer', 'show', LB])
    show_command(['openstack', 'loadbalancer', 'amphora', 'list',
                  '--loadbalancer', LB])
    last = None
    done = False
    deadline = time.monotonic() + 300
    while not done and time.monotonic() < deadline:
        lb = cli.json('show', LB, show=False) or {}
        amps = [a for a in cli.json('amphora', 'list', '--loadbalancer',
                                    lb.get('id', LB), show=False) or []
                if a.get('status') not in ('DELETED',)]
        roles = collections.Counter(
            '%s %s' % (a.get('role'), a.get('status')) for a in amps)
        state = '%s/%s; amphorae: %s' % (
            lb.get('provisioning_status'), lb.get('operating_status'),
            ', '.join('%d %s' % (n, r) for r, n in sorted(roles.items())))
        if state != last:
            say('  %5.1f s  %s' % (time.monotonic() - killed, state))
            last = state
        done = (lb.get('provisioning_status') == 'ACTIVE'
                and lb.get('operating_status') == 'ONLINE'
                and victim['id'] not in {a['id'] for a in amps}
                and all(a.get('status') == 'ALLOCATED' for a in amps))
        if not done:
            time.sleep(2)
    if not done:
        say('  not back to ACTIVE/ONLINE with a full cluster after 300 s')
    return done


def cleanup(plan, cli):
    failed = []
    say('== Deleting the demo load balancer, flavor and namespaces')
    try:
        if _find_lb(cli):
            cli.run('delete', '--cascade', '--wait', LB)
        if cli.find('flavor', FLAVOR):
            cli.run('flavor', 'delete', FLAVOR)
        if cli.find('flavorprofile', PROFILE):
            cli.run('flavorprofile', 'delete', PROFILE)
    except (DemoError, subprocess.TimeoutExpired, OSError) as exc:
        failed.append(str(exc))
    stop_members(plan)
    try:
        remove_namespaces(plan)
    except Exception as exc:   # report, the rest is done already
        failed.append('namespaces: %s' % exc)
    for error in failed:
        say('error: %s' % error)
    return not failed


def _find_lb(cli):
    for item in cli.json('list', show=False) or []:
        if item.get('name') == LB:
            return item
    return None


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='octavia-aa-demo',
        description='An active-active load balancer in one step, against '
                    'a running octavia-aa-all with the netns data plane '
                    '(run as root).')
    p.add_argument('--config-file', help='the config file of the running '
                   'service (for [netns] name_prefix, the subnets and the '
                   'API port)')
    p.add_argument('--endpoint', help='API endpoint (default: from the '
                   'config, http://127.0.0.1:9876)')
    p.add_argument('--vip-subnet', default='public-subnet')
    p.add_argument('--member-subnet', default='private-subnet')
    p.add_argument('--requests', type=int, default=60,
                   help='requests to send to the VIP (default 60)')
    mode = p.add_mutually_exclusive_group()
    mode.add_argument('--traffic', action='store_true',
                      help='only send the requests again and show which '
                           'amphorae served them')
    mode.add_argument('--kill-amphora', nargs='?', const='', metavar='ID',
                      help='kill an amphora (default: an IN_CLUSTER one), '
                           'send the requests again and watch the '
                           'replacement')
    mode.add_argument('--cleanup', action='store_true',
                      help='delete everything the demo made')
    return p.parse_args(argv)


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        load_config(args.config_file)
        endpoint = args.endpoint
        if not endpoint:
            host = CONF.api_settings.bind_host
            if host in ('0.0.0.0', '::', ''):
                host = '127.0.0.1'
            if ':' in host:
                host = '[%s]' % host
            endpoint = 'http://%s:%d' % (host, CONF.api_settings.bind_port)
        plan = Plan(args)
        plan.cf_arg = (' --config-file %s' % shlex.quote(args.config_file)
                       if args.config_file else '')
        if os.geteuid() != 0:
            raise DemoError('run as root: the demo makes network namespaces')
        cli = Cli(endpoint)
        if args.cleanup:
            return 0 if cleanup(plan, cli) else 1
        if args.kill_amphora is not None:
            ok = kill_amphora(plan, cli, args.kill_amphora, args.requests)
            return 0 if ok else 1
        if args.traffic:
            if not _find_lb(cli):
                raise DemoError('no demo load balancer: run octavia-aa-demo '
                                'first')
            _served, ok, vip = traffic(plan, cli, args.requests, warmup=0)
            return 0 if ok == args.requests else 1
        if _find_lb(cli):
            raise DemoError('the demo load balancer %s exists already: '
                            'octavia-aa-demo --traffic sends requests again, '
                            '--cleanup removes it' % LB)
        say('export OS_AUTH_TYPE=none OS_ENDPOINT=%s' % endpoint)
        say('\n== 0. Member servers and a client, in their own namespaces')
        make_namespace(plan, plan.member_ns, plan.member_veth,
                       plan.member_subnet, plan.member_ips)
        start_members(plan)
        make_namespace(plan, plan.client_ns, plan.client_veth,
                       plan.vip_subnet, [plan.client_ip])
        create(plan, cli)
        served, ok, vip = traffic(plan, cli, args.requests)
        hints(plan, vip, endpoint)
        return 0 if ok == args.requests else 1
    except (DemoError, subprocess.TimeoutExpired) as exc:
        if isinstance(exc, subprocess.TimeoutExpired):
            exc = '%s timed out' % shlex.join(exc.cmd)
        say('error: %s' % exc)
        if not (args.cleanup or args.traffic or
                args.kill_amphora is not None):
            say('(octavia-aa-demo%s --cleanup removes what the demo made)'
                % (' --config-file %s' % shlex.quote(args.config_file)
                   if args.config_file else ''))
        return 1


if __name__ == '__main__':
    sys.exit(main())
