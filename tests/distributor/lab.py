"""A throw-away L2 test bed in network namespaces.

Everything is named with a random per-run prefix; ``close()`` kills every
process left in our namespaces (by PID) and deletes them, also after a
failed test.  Traffic stays inside these namespaces (198.51.100.0/24
front end, 192.0.2.0/24 management).
"""
import contextlib
import ctypes
import http.client
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import uuid

from octavia_aa.certificates import local as certs
from octavia_aa.certificates import tls

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
PY = sys.executable
CLONE_NEWNET = 0x40000000
_libc = ctypes.CDLL(None, use_errno=True)
VIP = '198.51.100.10'


def sh(*cmd, check=True, ns=None):
    if ns:
        cmd = ('ip', 'netns', 'exec', ns) + cmd
    r = subprocess.run(cmd, capture_output=True, text=True)
    if check and r.returncode:
        raise RuntimeError('%s failed: %s' % (' '.join(cmd), r.stderr))
    return r.stdout


@contextlib.contextmanager
def netns(name):
    """Run the calling thread in netns ``name``; sockets made inside stay
    there after the block."""
    cur = os.open('/proc/thread-self/ns/net', os.O_RDONLY)
    new = os.open('/run/netns/%s' % name, os.O_RDONLY)
    try:
        if _libc.setns(new, CLONE_NEWNET):
            raise OSError(ctypes.get_errno(), 'setns %s' % name)
        yield
    finally:
        _libc.setns(cur, CLONE_NEWNET)
        os.close(cur)
        os.close(new)


def wait_for(predicate, timeout=20.0, interval=0.05, what='condition'):
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            last = predicate()
            if last:
                return last
        except Exception as exc:     # keep polling until the deadline
            last = exc
        time.sleep(interval)
    raise AssertionError('timed out waiting for %s (last: %r)' % (what, last))


class Lab:

    def __init__(self):
        self.prefix = 'oaa%s' % secrets.token_hex(3)
        self.tmp = tempfile.mkdtemp(prefix=self.prefix + '-')
        self.namespaces = []
        self.procs = []
        self.sw = self._ns('sw')
        sh('sysctl', '-qw', 'net.bridge.bridge-nf-call-iptables=0',
           'net.bridge.bridge-nf-call-arptables=0',
           'net.bridge.bridge-nf-call-ip6tables=0', ns=self.sw, check=False)
        self.bridges = set()
        self._macs = 0

    # -- topology ---------------------------------------------------------
    def _ns(self, name):
        full = '%s-%s' % (self.prefix, name)
        sh('ip', 'netns', 'add', full)
        self.namespaces.append(full)
        sh('ip', 'link', 'set', 'lo', 'up', ns=full)
        return full

    def bridge(self, name):
        if name not in self.bridges:
            sh('ip', 'link', 'add', name, 'type', 'bridge', ns=self.sw)
            sh('ip', 'link', 'set', name, 'type', 'bridge', 'stp_state', '0',
               'forward_delay', '0', ns=self.sw)
            sh('ip', 'link', 'set', name, 'up', ns=self.sw)
            self.bridges.add(name)
        return name

    def mac(self):
        self._macs += 1
        return '02:%02x:%02x:00:00:%02x' % (
            int(self.prefix[3:5], 16), int(self.prefix[5:7], 16), self._macs)

    def node(self, name, links):
        """links: [(ifname, bridge, cidr)] -> (netns, {ifname: mac})."""
        ns = self._ns(name)
        macs = {}
        for ifname, bridge, cidr in links:
            self.bridge(bridge)
            port = 'p%d' % (len(self.namespaces) * 4 + len(macs))
            sh('ip', 'link', 'add', port, 'netns', self.sw, 'type', 'veth',
               'peer', 'name', ifname, 'netns', ns)
            sh('ip', 'link', 'set', port, 'master', bridge, 'up', ns=self.sw)
            macs[ifname] = self.mac()
            sh('ip', 'link', 'set', ifname, 'address', macs[ifname], ns=ns)
            if cidr:
                sh('ip', 'addr', 'add', cidr, 'dev', ifname, ns=ns)
            sh('ip', 'link', 'set', ifname, 'up', ns=ns)
        return ns, macs

    def amphora(self, name, ip, vip=VIP, bridge='fe', port=80):
        ns, macs = self.node(name, [('eth0', bridge, ip + '/24')])
        # VIP on lo, never answered or announced in ARP (DSR).
        sh('sysctl', '-qw', 'net.ipv4.conf.all.arp_ignore=1',
           'net.ipv4.conf.all.arp_announce=2',
           'net.ipv4.conf.eth0.arp_ignore=1',
           'net.ipv4.conf.eth0.arp_announce=2', ns=ns)
        sh('ip', 'addr', 'add', vip + '/32', 'dev', 'lo', ns=ns)
        amp = {'name': name, 'ns': ns, 'mac': macs['eth0'], 'ip': ip,
               'id': str(uuid.uuid4()), 'port': port}
        self.start_server(amp)
        return amp

    def start_server(self, amp):
        proc = self.spawn(amp['ns'], [PY, os.path.join(
            REPO, 'tests', 'distributor', 'ampserver.py'), amp['name'],
            str(amp['port'])], stdout=subprocess.PIPE)
        assert proc.stdout.readline().strip() == b'ready'
        amp['proc'] = proc
        return proc

    def spawn(self, ns, cmd, log=None, **kwargs):
        if log:
            kwargs['stdout'] = kwargs['stderr'] = open(log, 'ab')
        kwargs.setdefault('stdin', subprocess.DEVNULL)
        kwargs.setdefault('stderr', subprocess.DEVNULL)
        proc = subprocess.Popen(['ip', 'netns', 'exec', ns] + cmd, cwd=REPO,
                                **kwargs)
        self.procs.append(proc)
        return proc

    def pids(self, ns):
        out = sh('ip', 'netns', 'pids', ns, check=False)
        return [int(p) for p in out.split()]

    def close(self):
        for proc in self.procs:
            if proc.poll() is None:
                proc.terminate()
        deadline = time.monotonic() + 5
        for proc in self.procs:
            try:
                proc.wait(max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
        for ns in self.namespaces:
            for pid in self.pids(ns):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        for ns in reversed(self.namespaces):
            for _ in range(50):
                if not self.pids(ns):
                    break
                time.sleep(0.05)
            sh('ip', 'netns', 'del', ns, check=False)
        self.namespaces = []
        subprocess.run(['rm', '-rf', self.tmp])

    # -- HTTP from a namespace --------------------------------------------
    def connect(self, ns, host=VIP, port=80, timeout=5):
        conn = http.client.HTTPConnection(host, port, timeout=timeout)
        with netns(ns):
            conn.connect()
        return conn

    @staticmethod
    def get(conn):
        conn.request('GET', '/')
        resp = conn.getresponse()
        return resp.read().decode().strip()

    def fetch(self, ns, host=VIP, port=80, timeout=5):
        conn = self.connect(ns, host, port, timeout)
        try:
            return self.get(conn)
        finally:
            conn.close()


class Pki:
    """Both CAs, a controller certificate, and agent certificates."""

    def __init__(self, directory):
        self.dir = directory
        self.ca = os.path.join(directory, 'ca')
        certs.init_cas(self.ca)
        self.server_ca = os.path.join(self.ca, 'server_ca.pem')
        self.client_ca = os.path.join(self.ca, 'client_ca.pem')
        self.client = os.path.join(directory, 'controller.pem')
        certs.issue_controller(self.ca, self.client)

    def agent_cert(self, agent_id, ip):
        path = os.path.join(self.dir, 'agent-%s.pem' % agent_id)
        certs.issue_agent(self.ca, agent_id, path, [ip])
        return path


class AgentProc:
    """A distributor agent process (real gunicorn, real TLS) in a netns."""

    def __init__(self, lab, pki, ns, mgmt_ip, extra=None, agent_id=None,
                 ctl_ns=None):
        self.lab, self.pki, self.ns, self.ip = lab, pki, ns, mgmt_ip
        self.id = agent_id or str(uuid.uuid4())
        self.ctl_ns = ctl_ns
        self.dir = os.path.join(lab.tmp, 'agent-%s' % self.id[:8])
        os.makedirs(self.dir)
        self.cert = pki.agent_cert(self.id, mgmt_ip)
        self.conf = os.path.join(self.dir, 'agent.conf')
        sections = {
            'DEFAULT': {'debug': 'true'},
            'distributor_agent': {
                'distributor_id': self.id, 'bind_host': mgmt_ip,
                'bind_port': '9443', 'agent_server_cert': self.cert,
                'agent_server_ca': pki.client_ca,
                'state_file': os.path.join(self.dir, 'state.json'),
                'vip_interface': 'eth0'},
            'distributor_prober': {'interval': '0.1', 'fall': '3'},
            'distributor_vrrp': {'run_dir': os.path.join(self.dir, 'run')},
        }
        for section, values in (extra or {}).items():
            sections.setdefault(section, {}).update(values)
        with open(self.conf, 'w') as f:
            for section, values in sections.items():
                f.write('[%s]\n' % section)
                for k, v in values.items():
                    f.write('%s = %s\n' % (k, v))
        self.log = os.path.join(self.dir, 'agent.log')
        self.proc = None
        self.session = tls.pinned_session(self.id, pki.client,
                                          pki.server_ca)

    @property
    def url(self):
        return 'https://%s:9443' % self.ip

    def start(self, wait=True):
        self.proc = self.lab.spawn(self.ns, [
            PY, '-m', 'distributor_agent.cmd', '--config-file', self.conf],
            log=self.log)
        if wait:
            wait_for(lambda: self.call('GET', '/v1/info').status_code == 200,
                     timeout=30, what='agent %s up (log %s)' % (
                         self.id, self.log))
        return self

    def stop(self, sig=signal.SIGTERM):
        if self.proc and self.proc.poll() is None:
            self.proc.send_signal(sig)
            self.proc.wait(15)

    def worker_pids(self):
        return [p for p in self.lab.pids(self.ns)
                if b'distributor_agent' in _cmdline(p)]

    def call(self, method, path, body=None, session=None, timeout=10,
             raw=None):
        with netns(self.ctl_ns):
            return (session or self.session).request(
                method, self.url + path, timeout=timeout,
                data=raw if body is None else json.dumps(body))

    def ok(self, method, path, body=None):
        r = self.call(method, path, body)
        assert r.status_code == 200, (r.status_code, r.text)
        return r.json()


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read()
    except OSError:
        return b''


def arp_answers(ns, ip, interface='eth0', count=2):
    """MAC addresses that answer ARP for ``ip`` as seen from ``ns``."""
    out = sh('arping', '-c', str(count), '-w', '2', '-i', interface, ip,
             ns=ns, check=False)
    return set(re.findall(r'bytes from ([0-9a-f:]{17})', out))


def count_table(ns, device, match, name='testcount', priority=-100):
    """A test-only netdev counter: ``match`` packets arriving on device."""
    sh('nft', 'add table netdev %s' % name, ns=ns)
    sh('nft', 'add chain netdev %s c_%s { type filter hook ingress device '
       '"%s" priority %d; }' % (name, device, device, priority), ns=ns)
    sh('nft', 'add rule netdev %s c_%s %s counter' % (name, device, match),
       ns=ns)


def counted(ns, name='testcount'):
    out = sh('nft', 'list', 'table', 'netdev', name, ns=ns)
    return [int(n) for n in re.findall(r'counter packets (\d+)', out)]


def agent_conf(directory, **options):
    """Configuration of an in-process Agent (tests and bench that drive
    it directly, without REST): its state file in ``directory``."""
    from oslo_config import cfg

    from distributor_agent import config
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    values = {'distributor_id': str(uuid.uuid4()),
              'state_file': os.path.join(directory, 'state.json'),
              'vip_interface': 'eth0', 'manage_sysctls': False}
    values.update(options)
    for name, value in values.items():
        conf.set_override(name, value, 'distributor_agent')
    conf([], project='octavia-aa-test', default_config_files=[])
    return conf


class Talkers:
    """``count`` keep-alive connections from ``ns`` to the VIP, each
    sending a request every ``interval`` seconds until the block ends.

    ``broken`` lists the connections that were reset or answered by
    another amphora than their first one: a flow cut or moved.
    """

    def __init__(self, lab, ns, count, interval=0.2, host=VIP):
        import threading
        self.lab, self.ns, self.host = lab, ns, host
        self.count, self.interval = count, interval
        self.conns, self.first, self.broken = [], [], []
        self.requests = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self):
        for _ in range(self.count):
            conn = self.lab.connect(self.ns, host=self.host)
            self.conns.append(conn)
            self.first.append(self.lab.get(conn))
        self._thread.start()
        return self

    def _run(self):
        alive = set(range(self.count))
        while alive and not self._stop.wait(self.interval):
            for i in sorted(alive):
                try:
                    name = self.lab.get(self.conns[i])
                except Exception as exc:
                    name = repr(exc)
                self.requests += 1
                if name != self.first[i]:
                    self.broken.append((i, self.first[i], name))
                    alive.discard(i)

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join(30)

    def close(self):
        for conn in self.conns:
            conn.close()
