"""A whole octavia-aa deployment on this host for end-to-end scenarios.

``Deployment`` writes a config file in a temp dir (random [netns]
name_prefix, a random /28 of 192.0.2.0/24 for management, the public and
private subnets with IPAM ranges .100-.250 so that the test's own
addresses .2-.99 are never handed out), starts ``octavia-aa-all`` on it
(``start_service()``, which a subclass may replace with split processes),
waits for the API and two ACTIVE distributors, then plugs its own client
namespace into the VIP network and its own member namespace, with HTTP
servers that answer their name and the peer address of the connection
(the serving amphora's member address), into the member network.

``close()`` always cleans up, also after a failed test: the service is
stopped by PID (SIGTERM, then SIGKILL), every process in every namespace
with the prefix is killed by PID, those namespaces, every link with the
prefix and the temp dir are removed.  ``leaks()`` (tests/scenario/
leaks.py) lists what is left of load balancers: namespaces, processes,
bridge ports, nftables objects in the distributors, addresses and rows.
The client load is tests/scenario/load_run.py, host commands
tests/scenario/host.py.

Traffic only goes to addresses inside namespaces this class made.
"""
import ipaddress
import json
import os
import random
import re
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time

import requests
import sqlalchemy as sa

from octavia_aa.common import procs
from octavia_aa.compute.drivers import netns as compute_netns
from octavia_aa.compute.drivers import netns_agent
from octavia_aa.network.drivers import netns_links as links
from tests.amphora.bed import wait_for  # noqa: F401 (re-exported)
from tests.scenario import leaks as leaks_mod
from tests.scenario.host import cmdline
from tests.scenario.host import kill_pids
from tests.scenario.host import sh
from tests.scenario.load_run import all_failures  # noqa: F401 (re-exported)
from tests.scenario.load_run import by_amphora  # noqa: F401 (re-exported)
from tests.scenario.load_run import LoadRun

HERE = os.path.dirname(os.path.abspath(__file__))
REPO = os.path.dirname(os.path.dirname(HERE))
BIN = os.path.dirname(sys.executable)
PY = sys.executable

VIP_SUBNET = 'public-subnet'
MEMBER_SUBNET = 'private-subnet'
MGMT_SUBNET = 'lb-mgmt-subnet'
CLIENT_ADDRS = ['198.51.100.%d' % i for i in range(2, 50)]
MEMBER_ADDRS = ['203.0.113.%d' % i for i in range(5, 10)]
MEMBER_PORT = 8080


def free_port(kind=socket.SOCK_STREAM):
    with socket.socket(socket.AF_INET, kind) as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def free_mgmt_block(prefixlen=28):
    """A /28 (or /prefixlen) of 192.0.2.0/24 (its offset) that holds no
    address of this host and no route of another deployment or test
    bed.  The host may sit in 192.0.2.0/24 itself (this one has
    192.0.2.2/24 on eth0 and its default gateway at 192.0.2.1): a
    management gateway on one of those addresses would cut the host
    off, and two deployments on one block make each other's agents
    unreachable.  Block 0 (where gateways usually are) is never used."""
    taken = []
    for link in json.loads(sh('ip', '-4', '-j', 'addr', 'show').stdout):
        for a in link.get('addr_info', []):
            taken.append(ipaddress.ip_network(a['local']))
    for route in json.loads(sh('ip', '-4', '-j', 'route', 'show',
                               'table', 'all').stdout):
        dst = route.get('dst', 'default')
        if dst == 'default':
            if route.get('gateway'):
                taken.append(ipaddress.ip_network(route['gateway']))
            continue
        net = ipaddress.ip_network(dst, strict=False)
        if net.prefixlen > 24:      # a /24 route of the host is fine
            taken.append(net)
    size = 1 << (32 - prefixlen)
    free = [b for b in range(size, 256, size)
            if not any(ipaddress.ip_network('192.0.2.%d/%d' % (b, prefixlen))
                       .overlaps(t) for t in taken)]
    if not free:
        raise RuntimeError('no free /%d left in 192.0.2.0/24' % prefixlen)
    return random.choice(free)


class Cli:
    """The real openstack CLI, auth type none, pointed at the API."""

    def __init__(self, endpoint):
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env.update(OS_AUTH_TYPE='none', OS_ENDPOINT=endpoint)

    def run(self, *args, ok=True, timeout=300):
        proc = subprocess.run([os.path.join(BIN, 'openstack'), *args],
                              env=self.env, capture_output=True, text=True,
                              timeout=timeout)
        if ok and proc.returncode != 0:
            raise AssertionError('openstack %s failed (%d): %s%s' % (
                ' '.join(args), proc.returncode, proc.stdout, proc.stderr))
        return proc

    def json(self, *args, timeout=300):
        return json.loads(self.run(*args, '-f', 'json',
                                   timeout=timeout).stdout or 'null')


class Deployment(leaks_mod.LeakFinder):

    members = 3
    prefix_letter = 's'
    heartbeat_interval = 1
    heartbeat_timeout = 6
    reconcile_interval = 2
    # A /26 holds 8 clusters of 3+1 (tests/bench/e2e_create.py).
    mgmt_prefixlen = 28

    def __init__(self, tmp=None):
        self.prefix = self.prefix_letter + secrets.token_hex(2)[:3]
        self.tmp = tempfile.mkdtemp(prefix='oaa-scn-%s-' % self.prefix,
                                    dir=tmp)
        self.state = os.path.join(self.tmp, 'state')
        os.makedirs(self.state)
        self.api_port = free_port()
        self.hm_port = free_port(socket.SOCK_DGRAM)
        block = free_mgmt_block(self.mgmt_prefixlen)
        self.mgmt_cidr = '192.0.2.%d/%d' % (block, self.mgmt_prefixlen)
        self.mgmt_gw = '192.0.2.%d' % (block + 1)
        self.heartbeat_key = secrets.token_hex(16)
        self.endpoint = 'http://127.0.0.1:%d' % self.api_port
        self.cli = Cli(self.endpoint)
        self.http = requests.Session()
        self.procs = []             # our own helpers (servers, loads)
        self.service_procs = []     # what start_service() launched
        self.own_namespaces = []
        self.own_links = []
        self.client_ns = self.member_ns = None
        self.vip = None
        self.vip_port = 80
        self.conf_file = None

    # -- configuration and service ---------------------------------------
    @property
    def db_url(self):
        return 'sqlite:///%s' % os.path.join(self.state,
                                             'octavia-aa.sqlite')

    def config_sections(self):
        """The config as {section: {key: value}}; a subclass adds to it."""
        block = ipaddress.ip_network(self.mgmt_cidr)
        first = int(block.network_address)
        return {
            'DEFAULT': {'state_path': self.state, 'debug': 'true'},
            'database': {'connection': self.db_url},
            'api_settings': {'bind_port': self.api_port},
            'controller_worker': {
                # The scenario resizes twice in a row.
                'cluster_cooldown': 0},
            'health_manager': {
                'bind_ip': self.mgmt_gw, 'bind_port': self.hm_port,
                'controller_ip_port_list': '%s:%d' % (self.mgmt_gw,
                                                      self.hm_port),
                'heartbeat_key': self.heartbeat_key,
                'heartbeat_interval': self.heartbeat_interval,
                'heartbeat_timeout': self.heartbeat_timeout,
                'health_check_interval': 1},
            'cluster_manager': {
                'reconcile_interval': self.reconcile_interval},
            'netns': {'name_prefix': self.prefix,
                      'management_subnet': MGMT_SUBNET},
            'networking': {'subnets': '%s,%s' % (VIP_SUBNET,
                                                 MEMBER_SUBNET)},
            'subnet:%s' % MGMT_SUBNET: {
                'cidr': self.mgmt_cidr, 'gateway_ip': self.mgmt_gw,
                'allocation_start': str(ipaddress.ip_address(first + 2)),
                'allocation_end': str(ipaddress.ip_address(
                    first + block.num_addresses - 2)),
                'network_name': 'lb-mgmt-net'},
            'subnet:%s' % VIP_SUBNET: {
                'cidr': '198.51.100.0/24', 'gateway_ip': '198.51.100.1',
                'allocation_start': '198.51.100.100',
                'allocation_end': '198.51.100.250',
                'network_name': 'public'},
            'subnet:%s' % MEMBER_SUBNET: {
                'cidr': '203.0.113.0/24', 'gateway_ip': '203.0.113.1',
                'allocation_start': '203.0.113.100',
                'allocation_end': '203.0.113.250',
                'network_name': 'private'},
        }

    def write_config(self):
        self.conf_file = os.path.join(self.tmp, 'octavia-aa.conf')
        with open(self.conf_file, 'w') as f:
            for section, values in self.config_sections().items():
                f.write('[%s]\n' % section)
                for key, value in values.items():
                    f.write('%s = %s\n' % (key, value))
                f.write('\n')
        return self.conf_file

    def start_service(self):
        """Launch the service (here octavia-aa-all); fills
        self.service_procs.  Split-process subclasses override this."""
        log = open(os.path.join(self.tmp, 'all.log'), 'ab')
        with log:
            proc = subprocess.Popen(
                [os.path.join(BIN, 'octavia-aa-all'), '--config-file',
                 self.conf_file], stdin=subprocess.DEVNULL, stdout=log,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=REPO)
        self.service_procs.append(proc)

    def stop_service(self, timeout=30):
        procs, self.service_procs = self.service_procs, []
        for proc in procs:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + timeout
        for proc in procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)

    def check_service(self):
        for proc in self.service_procs:
            if proc.poll() is not None:
                raise AssertionError('%s exited with %s (logs in %s)' % (
                    proc.args[0], proc.returncode, self.tmp))

    def start(self, timeout=120):
        """Config, service, two ACTIVE distributors, client and members.
        On any failure everything is cleaned up before raising."""
        try:
            self.write_config()
            self.t_start = time.monotonic()
            self.start_service()
            self.wait_api(timeout)
            self.wait_distributors(timeout)
            self.setup_client()
            self.setup_members()
        except BaseException:
            self.close()
            raise
        return self

    def wait_api(self, timeout=120):
        def up():
            self.check_service()
            try:
                return self.http.get(self.endpoint + '/', timeout=2).ok
            except requests.RequestException:
                return False
        wait_for(up, timeout=timeout, interval=0.2, what='API up')

    def wait_distributors(self, timeout=120, count=2):
        def active():
            self.check_service()
            ds = self.distributors()
            return (len(ds) >= count and
                    all(d['status'] == 'ACTIVE' for d in ds) and ds)
        return wait_for(active, timeout=timeout, interval=0.5,
                        what='%d ACTIVE distributors' % count)

    # -- API ----------------------------------------------------------------
    def api(self, method, path, body=None, expect=(200, 201, 202, 204)):
        r = self.http.request(method, self.endpoint + path, json=body,
                              timeout=30)
        if expect and r.status_code not in expect:
            raise AssertionError('%s %s: %d %s' % (method, path,
                                                   r.status_code, r.text))
        return r.json() if r.content else None

    def distributors(self):
        return self.api('GET', '/v2/octavia/distributors')['distributors']

    def amphorae(self, lb_id):
        amps = self.api('GET', '/v2/octavia/amphorae')['amphorae']
        return [a for a in amps if a.get('loadbalancer_id') == lb_id]

    def load_balancer(self, lb_id):
        return self.api('GET', '/v2/lbaas/loadbalancers/%s'
                        % lb_id)['loadbalancer']

    def cluster(self, lb_id):
        cl = self.api('GET', '/v2/octavia/clusters?loadbalancer_id=%s'
                      % lb_id)['clusters']
        cl = [c for c in cl if c['loadbalancer_id'] == lb_id]
        assert len(cl) == 1, cl
        return cl[0]

    def resize(self, lb_id, desired):
        cid = self.cluster(lb_id)['id']
        return self.api('PUT', '/v2/octavia/clusters/%s' % cid,
                        {'cluster': {'desired_size': desired}})

    def subnet(self, name):
        for s in self.api('GET', '/v2.0/subnets')['subnets']:
            if s['name'] == name:
                return s
        raise AssertionError('no subnet %s' % name)

    def management_bridge(self):
        """The host bridge holding the management gateway address."""
        for link in json.loads(sh('ip', '-j', 'addr', 'show').stdout):
            if any(a['local'] == self.mgmt_gw
                   for a in link.get('addr_info', [])):
                return link['ifname']
        raise AssertionError('no bridge holds %s' % self.mgmt_gw)

    def bridge(self, subnet_name):
        return links.bridge_name(self.prefix,
                                 self.subnet(subnet_name)['network_id'])

    # -- namespaces of this deployment -------------------------------------
    def namespace(self, compute_id):
        return links.namespace_name(self.prefix, compute_id)

    def ns_addresses(self, ns, missing_ok=False):
        """(interface, address) pairs of a namespace; with missing_ok, []
        when the namespace is gone (the controller deleted the machine)."""
        r = sh('ip', '-n', ns, '-j', 'addr', 'show', check=False)
        if r.returncode:
            if missing_ok and not self.namespace_exists(ns):
                return []
            raise RuntimeError('ip -n %s addr show: %s'
                               % (ns, r.stderr.strip()))
        return [(i['ifname'], a['local']) for i in json.loads(r.stdout)
                for a in i.get('addr_info', [])]

    def member_address(self, amp):
        """The amphora's own address on the member subnet (the source
        address HAProxy uses towards members)."""
        net = ipaddress.ip_network('203.0.113.0/24')
        found = [a for _, a in self.ns_addresses(
            self.namespace(amp['compute_id']))
            if ':' not in a and ipaddress.ip_address(a) in net]
        assert len(found) == 1, (amp['id'], found)
        return found[0]

    # How a machine dies (kill_machine's mode):
    #  - PROCESSES: every process of the machine is SIGKILLed, its links
    #    stay up: the kernel still answers, so a client's connection is
    #    closed or reset under it and its new SYN gets a reset (as when
    #    HAProxy and the agent crash on a live VM);
    #  - SILENT: its links go down first, then its processes die: nothing
    #    answers any more (a VM gone, a host lost), a client only sees
    #    silence until the machine's traffic goes elsewhere.
    PROCESSES = 'processes'
    SILENT = 'silent'
    KILL_MODES = (PROCESSES, SILENT)

    def namespace_exists(self, ns):
        return os.path.exists('/run/netns/%s' % ns)

    def kill_machine(self, compute_id, mode=SILENT):
        """A dead machine (see KILL_MODES; the compute driver's supervisor
        restarts a dead agent, which a silent machine cannot be reached
        by).  Returns time.time() of the kill, or None if the machine was
        already gone (the controller deleted it meanwhile)."""
        assert mode in self.KILL_MODES, mode
        ns = self.namespace(compute_id)
        pids = compute_netns.namespace_pids(ns)
        if not pids:
            return None
        t = time.time()
        if mode == self.SILENT:
            self._set_links(ns, 'down')
        kill_pids(pids)
        return t

    def revive_links(self, compute_id):
        """Links up again; False if the machine is gone (the controller
        replaced it)."""
        return self._set_links(self.namespace(compute_id), 'up')

    def _set_links(self, ns, state):
        # The controller may delete the namespace at any moment (it
        # replaces a machine it saw die): a namespace gone is not an
        # error, the machine is just not there any more.
        r = sh('ip', '-n', ns, '-j', 'link', 'show', check=False)
        if r.returncode:
            if self.namespace_exists(ns):
                raise RuntimeError('ip -n %s link show: %s'
                                   % (ns, r.stderr.strip()))
            return False
        for link in json.loads(r.stdout or '[]'):
            if link['ifname'] == 'lo':
                continue
            r = sh('ip', '-n', ns, 'link', 'set', link['ifname'], state,
                   check=False)
            if r.returncode and self.namespace_exists(ns) and \
                    'Cannot find device' not in r.stderr:
                raise RuntimeError('ip -n %s link set %s %s: %s' % (
                    ns, link['ifname'], state, r.stderr.strip()))
        return True

    def spawn(self, ns, cmd, **kwargs):
        kwargs.setdefault('stdin', subprocess.DEVNULL)
        proc = subprocess.Popen(['ip', 'netns', 'exec', ns] + cmd,
                                start_new_session=True, cwd=REPO, **kwargs)
        self.procs.append(proc)
        return proc

    def _own_namespace(self, short, bridge, addresses):
        ns = '%s-t%s' % (self.prefix, short)
        host_if = '%st%s' % (self.prefix, short)
        links.ensure_namespace(ns)
        self.own_namespaces.append(ns)
        links.ensure_bridge(bridge, 1500)
        self.own_links.append(host_if)
        links.plug(ns, bridge, host_if, 'eth0',
                   links.mac_for(self.prefix, 'test-' + short), 1500,
                   addresses[0], 24)
        if len(addresses) > 1:
            sh('ip', '-n', ns, '-batch', '-', input=''.join(
                'addr add %s/24 dev eth0\n' % a for a in addresses[1:]))
        return ns

    def setup_client(self):
        self.client_ns = self._own_namespace('cli', self.bridge(VIP_SUBNET),
                                             CLIENT_ADDRS)
        return self.client_ns

    def setup_members(self):
        addrs = MEMBER_ADDRS[:self.members]
        self.member_ns = self._own_namespace(
            'mem', self.bridge(MEMBER_SUBNET), addrs)
        for i, ip in enumerate(addrs):
            proc = self.spawn(self.member_ns, [
                PY, os.path.join(HERE, os.pardir, 'amphora', 'server.py'),
                ip, str(MEMBER_PORT), 'member%d' % (i + 1), 'json'],
                stdout=subprocess.PIPE,
                stderr=subprocess.DEVNULL)
            assert proc.stdout.readline().strip() == b'ready', ip
        return self.member_ns

    def member_addresses(self):
        return MEMBER_ADDRS[:self.members]

    def get(self, source=None, timeout=3):
        """One GET of the VIP from the client namespace; the answer."""
        src = source or CLIENT_ADDRS[0]
        r = sh('curl', '-s', '--max-time', str(timeout), '--interface',
               src, 'http://%s:%d/' % (self.vip, self.vip_port),
               ns=self.client_ns, check=False)
        if r.returncode:
            raise AssertionError('curl %s from %s: rc %d' % (
                self.vip, src, r.returncode))
        return json.loads(r.stdout)

    def load(self, sources=None, **kwargs):
        return LoadRun(self, sources or CLIENT_ADDRS[:24], **kwargs)

    # -- leftovers ----------------------------------------------------------
    def prefix_namespaces(self):
        try:
            names = os.listdir('/run/netns')
        except FileNotFoundError:
            return []
        return sorted(n for n in names if n.startswith(self.prefix + '-'))

    def prefix_links(self):
        pattern = re.compile(r'^%s([bv][0-9a-f]{8}|t[a-z]+)$'
                             % re.escape(self.prefix))
        out = json.loads(sh('ip', '-j', 'link', 'show').stdout)
        return sorted(link['ifname'] for link in out
                      if pattern.match(link['ifname']))

    def db_rows(self, sql, **params):
        engine = sa.create_engine(self.db_url)
        try:
            with engine.connect() as conn:
                return [dict(r._mapping) for r in
                        conn.execute(sa.text(sql), params)]
        finally:
            engine.dispose()

    # -- clean-up -----------------------------------------------------------
    def close(self):
        """Stop and remove everything, whatever state it is in; raise at
        the end if a step failed (after trying every step)."""
        errors = []

        def step(fn, *args):
            try:
                fn(*args)
            except Exception as exc:     # keep cleaning, report below
                errors.append('%s%r: %r' % (getattr(fn, '__name__', fn),
                                            args, exc))

        for proc in self.procs:
            if proc.poll() is None:
                step(os.kill, proc.pid, signal.SIGKILL)
        step(self.stop_service)
        for proc in self.procs:
            step(proc.wait, 10)
            for stream in (proc.stdout, proc.stderr):
                if stream:
                    step(stream.close)
        self.http.close()
        namespaces = self.prefix_namespaces()
        left = self._kill_everything(namespaces)
        if left:
            errors.append('processes do not die: %s' % sorted(left))
        for ns in namespaces:
            step(links.remove_namespace, ns)
            compute_id = ns[len(self.prefix) + 1:]
            step(shutil.rmtree, netns_agent.run_dir(compute_id), True)
        for link in sorted(set(self.prefix_links()) | set(self.own_links)):
            step(links.remove_link, link)
        keep = os.environ.get('OAA_SCENARIO_LOGS')
        if keep:
            step(self.save_logs, os.path.join(keep, self.prefix))
        step(shutil.rmtree, self.tmp, True)
        left = self.prefix_namespaces() + self.prefix_links()
        if left:
            errors.append('left behind: %s' % left)
        if errors:
            raise AssertionError('clean-up of %s failed: %s'
                                 % (self.prefix, errors))

    def _kill_everything(self, namespaces):
        """SIGKILL every process of these namespaces and anything started
        from our temp dir; the PIDs that would not die."""
        victims = set()
        for _ in range(100):
            victims = set()
            for ns in namespaces:
                victims |= {p for p in compute_netns.namespace_pids(ns)
                            if procs.alive(p)}
            # Anything started from our temp dir in the host namespace
            # (an agent between `ip netns exec` and its exec, say).
            for entry in os.listdir('/proc'):
                if entry.isdigit() and int(entry) != os.getpid() and \
                        self.tmp in cmdline(int(entry)) and \
                        procs.alive(int(entry)):
                    victims.add(int(entry))
            if not victims:
                return victims
            kill_pids(victims)
            time.sleep(0.05)
        return victims

    def save_logs(self, dest):
        """Copy the service's and the agents' logs to dest."""
        for root, _, files in os.walk(self.tmp):
            for name in files:
                if name.endswith(('.log', '.out', '.conf', '.cfg')):
                    rel = os.path.relpath(os.path.join(root, name), self.tmp)
                    os.makedirs(os.path.dirname(os.path.join(dest, rel)),
                                exist_ok=True)
                    shutil.copy(os.path.join(root, name),
                                os.path.join(dest, rel))

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.close()
