"""A test bed of real netns machines built by our own drivers.

Random name prefix per run; ``close()`` deletes every machine, namespace,
bridge and process it made (by PID), also after a failed test.  Traffic
only goes to addresses inside these namespaces: management 192.0.2.x/28
(a random /28, so parallel runs do not overlap in the host's routes),
front end 198.51.100.0/24, members 203.0.113.0/24.
"""
import os
import random
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import types
import uuid

from octavia_aa.amphorae.drivers import rest
from octavia_aa.certificates import local as certs
from octavia_aa.common import config
from octavia_aa.compute import boot_opts
from octavia_aa.compute.drivers import netns as compute_netns
from octavia_aa.controller.worker import machines
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.network import subnets
from octavia_aa.network.drivers import netns as network_netns
from octavia_aa.network.drivers import netns_links as links

CONF = config.CONF
HERE = os.path.dirname(os.path.abspath(__file__))
VIP = '198.51.100.10'
MEMBER_IPS = ('203.0.113.21', '203.0.113.22')


def sh(*cmd, ns=None, check=True):
    if ns:
        cmd = ('ip', 'netns', 'exec', ns) + cmd
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=60)
    if check and r.returncode:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr))
    return r


def wait_for(predicate, timeout=30.0, interval=0.05, what='condition'):
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


class Bed:

    def __init__(self, heartbeat_port=None, heartbeat_key='bed-key'):
        self.prefix = 'a%s' % secrets.token_hex(2)[:3]
        self.tmp = tempfile.mkdtemp(prefix='oaa-amp-%s-' % self.prefix)
        self.procs = []
        self.machines = []
        self.namespaces = []
        self.owners = []
        self._overrides = []
        block = random.randrange(0, 256, 16)
        self.v6net = 'fd00:%x:%x::' % (random.randrange(1, 0xffff),
                                       random.randrange(1, 0xffff))
        self.mgmt_gw = '192.0.2.%d' % (block + 1)
        self.heartbeat = ('%s:%d' % (self.mgmt_gw, heartbeat_port)
                          if heartbeat_port else None)
        self.heartbeat_key = heartbeat_key
        try:
            self._configure(block)
        except Exception:
            self.close()
            raise

    # -- configuration -------------------------------------------------
    def _set(self, name, value, group=None):
        CONF.set_override(name, value, group=group)
        self._overrides.append((name, group))

    def _configure(self, block):
        ca_dir = os.path.join(self.tmp, 'ca')
        certs.init_cas(ca_dir)
        self.client_pem = os.path.join(self.tmp, 'client.pem')
        certs.issue_controller(ca_dir, self.client_pem)
        self.ca_dir = ca_dir
        db = os.path.join(self.tmp, 'octavia.sqlite')
        self._set('state_path', self.tmp)
        self._set('connection', 'sqlite:///%s' % db, 'database')
        db_api.reset()
        migration.upgrade()
        nets = {'mgmt': ('192.0.2.%d/28' % block, self.mgmt_gw,
                         '192.0.2.%d' % (block + 2),
                         '192.0.2.%d' % (block + 14)),
                # The VIPs and member addresses the tests pick themselves
                # sit below the allocation ranges: IPAM never hands them
                # to a port.
                'front': ('198.51.100.0/24', '198.51.100.1', '198.51.100.100',
                          '198.51.100.250'),
                'members': ('203.0.113.0/24', '203.0.113.1', '203.0.113.100',
                            '203.0.113.250'),
                'front6': ('%s/64' % self.v6net, '%s1' % self.v6net,
                           '%s100' % self.v6net, '%sfff' % self.v6net)}
        names = []
        for short, (cidr, gw, start, end) in nets.items():
            name = '%s-%s' % (self.prefix, short)
            names.append(name)
            group = 'subnet:%s' % name
            config.subnet_group(name)
            mtu = 1450 if short == 'front' else 1500   # MTU is applied
            for key, value in (('cidr', cidr), ('gateway_ip', gw),
                               ('allocation_start', start),
                               ('allocation_end', end),
                               ('network_name', name), ('mtu', mtu)):
                self._set(key, value, group)
        self._set('subnets', names, 'networking')
        subnets.reset()
        self.compute = compute_netns.NetnsComputeDriver()
        self.network = network_netns.NetnsNetworkDriver()
        boot_opts.register_opts(CONF)
        self._set('name_prefix', self.prefix, 'netns')
        self._set('management_subnet', names[0], 'netns')
        self._set('ca_dir', ca_dir, 'agent_boot')
        self._set('supervise_interval', 0.1, 'netns')
        self._set('controller_ip_port_list',
                  [self.heartbeat] if self.heartbeat else [],
                  'health_manager')
        self._set('heartbeat_key', self.heartbeat_key, 'health_manager')
        self._set('heartbeat_interval', 1, 'health_manager')
        self.amp_driver = rest.RestAmphoraDriver()
        self._set('client_cert', self.client_pem, 'amphora_agent_client')
        self._set('server_ca', os.path.join(ca_dir, 'server_ca.pem'),
                  'amphora_agent_client')
        self._set('connection_retry_interval', 0.05, 'amphora_agent_client')
        self._set('connection_max_retries', 600, 'amphora_agent_client')
        self._set('cert_manager', 'local_cert_manager', 'certificates')
        self._set('certificate_store', os.path.join(self.tmp, 'store'),
                  'certificates')
        self.front = subnets.find(names[1])
        self.members = subnets.find(names[2])
        self.mgmt = subnets.find(names[0])
        self.front6 = subnets.find(names[3])

    # -- machines ------------------------------------------------------
    def boot_amphora(self, lb_id=None):
        amp = types.SimpleNamespace(
            id=str(uuid.uuid4()), load_balancer_id=lb_id or str(uuid.uuid4()),
            compute_id=None, lb_network_ip=None, vrrp_ip=None,
            frontend_mac=None)
        self.machines.append(amp)
        amp.compute_id = self.build_machine('amphora-' + amp.id, 'amphora',
                                            amp.id)
        amp.lb_network_ip = self.compute.wait_active(
            amp.compute_id)['lb_network_ip']
        self.amp_driver.wait_for_agent(amp)
        return amp

    def build_machine(self, name, kind, entity_id, **kwargs):
        """What the controller does: the management port, the boot files
        and the spec, then this bed's compute driver builds it."""
        return machines.build(kind, entity_id, name=name,
                              compute=self.compute, network=self.network,
                              **kwargs)

    def delete_machine(self, compute_id, entity_id=None):
        machines.delete(entity_id or compute_id, compute_id,
                        compute=self.compute, network=self.network)

    def plug_frontend(self, amp, arp=False):
        port = self.network.plug_amphora(amp, self.front)
        amp.vrrp_ip, amp.frontend_mac = port['ip'], port['mac']
        vip = {'ip_address': VIP, 'subnet_cidr': self.front.cidr,
               'gateway': None, 'mtu': self.front.mtu,
               'mac': port['mac']}
        return self.amp_driver.plug_vip(amp, vip, arp)

    def plug_members(self, amp):
        port = self.network.plug_member_network(amp, self.members)
        return self.amp_driver.plug_network(amp, port, self.members.cidr)

    def namespace(self, name, subnet, ip=None):
        """A plain namespace (client, member servers) on subnet."""
        ns = '%s-%s' % (self.prefix, name)
        links.ensure_namespace(ns)
        self.namespaces.append(ns)
        owner = 'test:%s:%s' % (self.prefix, name)
        self.owners.append(owner)
        port = self.network.plug_port(ns, subnet, owner, ip)
        return ns, port

    def member_servers(self):
        """Two HTTP servers in one member namespace, answering their name."""
        ns, port = self.namespace('mem', self.members, MEMBER_IPS[0])
        sh('ip', 'addr', 'add', '%s/24' % MEMBER_IPS[1], 'dev',
           port['interface'], ns=ns)
        for i, ip in enumerate(MEMBER_IPS):
            self.spawn(ns, [sys.executable, os.path.join(HERE, 'server.py'),
                            ip, '8080', 'member%d' % (i + 1)])
        for ip in MEMBER_IPS:
            wait_for(lambda ip=ip: sh('python3', '-c',
                                      'import socket;socket.create_connection'
                                      '(("%s",8080),1)' % ip, ns=ns,
                                      check=False).returncode == 0,
                     what='member server %s' % ip)
        return ns

    def spawn(self, ns, cmd, **kwargs):
        proc = subprocess.Popen(['ip', 'netns', 'exec', ns] + cmd,
                                start_new_session=True, **kwargs)
        self.procs.append(proc)
        return proc

    # -- clean-up ------------------------------------------------------
    def close(self):
        """Remove everything; every step runs even if an earlier one
        failed, and the failures are reported together at the end."""
        errors = []

        def step(fn, *args):
            try:
                fn(*args)
            except Exception as exc:     # keep cleaning, report below
                errors.append('%s%r: %r' % (fn.__name__, args, exc))

        for proc in self.procs:
            if proc.poll() is None:
                step(os.kill, proc.pid, signal.SIGKILL)
            proc.wait()
        compute = getattr(self, 'compute', None)
        if compute is not None:
            compute.stop_supervisor()
            for amp in self.machines:
                if amp.compute_id:
                    step(self.network.unplug_amphora, amp)
                    step(self.delete_machine, amp.compute_id, amp.id)
            for owner in self.owners:
                step(self.network.unplug_owner, owner)
            for ns in self.namespaces:
                step(compute._kill, ns, None)
                step(links.remove_namespace, ns)
            for subnet in (self.mgmt, self.front, self.members,
                           self.front6):
                step(self.network.delete_network, subnet)
        leaked = self._leftovers()
        for name, group in reversed(self._overrides):
            CONF.clear_override(name, group=group)
        db_api.reset()
        subnets.reset()
        shutil.rmtree(self.tmp, ignore_errors=True)
        assert not leaked, 'processes outlived their machines: %s' % leaked
        assert not errors, 'clean-up failed: %s' % errors

    def _leftovers(self):
        """Kill (by PID) and report processes still running from this
        bed's directory: the drivers should have stopped every one."""
        leaked = {}
        for entry in os.listdir('/proc'):
            if not entry.isdigit() or int(entry) == os.getpid():
                continue
            try:
                with open('/proc/%s/cmdline' % entry, 'rb') as f:
                    cmd = f.read().replace(b'\0', b' ').decode()
                with open('/proc/%s/stat' % entry) as f:
                    state = f.read().rsplit(') ', 1)[-1][:1]
            except OSError:
                continue
            if self.tmp in cmd and state != 'Z' and \
                    'server.py' not in cmd and 'loadgen.py' not in cmd:
                leaked[int(entry)] = cmd[:80]
                os.kill(int(entry), signal.SIGKILL)
        return leaked


def socket_in_root():
    import socket
    return socket.socket(socket.AF_INET, socket.SOCK_DGRAM)


def _compute_pids(ns):
    from octavia_aa.compute.drivers import netns
    return netns.namespace_pids(ns)


Bed.compute_pids = staticmethod(_compute_pids)
