"""Compute driver: an amphora or a distributor is a network namespace on
this host running its agent (and, for amphorae, HAProxy started by it).

Each machine has a directory ``<state_path>/netns/<compute_id>/`` with
its agent's boot files (from the spec: config, certificate), its state,
``meta.json`` and the agent's pid file; the compute id is the entity id,
so names can be recomputed after a crash.  The ports of the spec (made
by the netns network driver) are veths plugged into the namespace as
their binding says; the spec's image tag, compute flavor and server
group mean nothing on one host and are recorded in meta.json.  A
supervisor thread restarts an agent that died unless
the machine is being deleted (a ``deleting`` marker file, so another
controller process does not restart it either).  Delete kills every
process in the namespace by PID, removes the host end of its veths, the
namespace and the directory; every step tolerates a missing piece, so it
also cleans up after a build that crashed half-way.  Server groups are
files under ``<state_path>/netns/.server-groups/`` (nothing to keep
apart on one host, but a retried create or delete finds them).
"""
import contextlib
import fcntl
import hashlib
import ipaddress
import json
import logging
import os
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid

from octavia_aa.common import config
from octavia_aa.common import procs
from octavia_aa.compute import boot_files
from octavia_aa.compute.drivers import base
from octavia_aa.compute.drivers import netns_agent
from octavia_aa.compute.drivers import netns_opts
from octavia_aa.network.drivers import netns_links as links

CONF = config.CONF
LOG = logging.getLogger(__name__)
# Machine locks (files under <state_path>/netns/.locks/): two machines
# share one with odds 1/LOCK_STRIPES.
LOCK_STRIPES = 256


def namespace_pids(namespace):
    """PIDs whose network namespace is ``namespace`` (like `ip netns
    pids`)."""
    try:
        target = os.stat('/run/netns/%s' % namespace)
    except FileNotFoundError:
        return set()
    pids = set()
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            st = os.stat('/proc/%s/ns/net' % entry)
        except OSError:
            continue
        if (st.st_ino, st.st_dev) == (target.st_ino, target.st_dev):
            pids.add(int(entry))
    return pids


class NetnsComputeDriver(base.ComputeDriver):

    def __init__(self, conf=None):
        self.conf = conf or CONF
        self.opts = netns_opts.register_opts(self.conf)
        self.base = os.path.join(self.conf.state_path, 'netns')
        self._locks = [threading.RLock() for _ in range(LOCK_STRIPES)]
        self._flock_depth = [0] * LOCK_STRIPES
        self._procs = {}          # compute_id -> Popen we started
        self._stop = threading.Event()
        self._supervisor = None

    # -- paths and metadata --------------------------------------------
    def _dir(self, compute_id):
        return os.path.join(self.base, compute_id)

    def _namespace(self, compute_id):
        return links.namespace_name(self.opts.name_prefix, compute_id)

    def _meta(self, compute_id):
        try:
            with open(os.path.join(self._dir(compute_id), 'meta.json')) as f:
                return json.load(f)
        except (OSError, ValueError):
            return None

    @staticmethod
    def _stripe(compute_id):
        return int(hashlib.sha1(compute_id.encode()).hexdigest()[:8],
                   16) % LOCK_STRIPES

    @contextlib.contextmanager
    def _machine_locked(self, compute_id):
        """One machine, for this process's threads and every other
        controller process on the host: without it, one worker's
        supervisor sees a machine another worker is half-way through
        building (meta.json written, agent not started yet) and starts a
        second agent in it.  One lock of LOCK_STRIPES, by the machine's
        id, so that the machines of a cluster (and of several load
        balancers) are built side by side: a single lock made every
        build wait for the one before.  Striped, not one file per
        machine: a file removed with its machine could be waited on by
        one process while another locks its successor (a distributor is
        rebuilt under the same id).  Re-entrant in a thread (a failed
        build's clean-up deletes)."""
        stripe = self._stripe(compute_id)
        asked = time.monotonic()
        with self._locks[stripe]:
            if self._flock_depth[stripe]:      # re-entered
                self._flock_depth[stripe] += 1
                try:
                    yield
                finally:
                    self._flock_depth[stripe] -= 1
                return
            directory = os.path.join(self.base, '.locks')
            os.makedirs(directory, mode=0o700, exist_ok=True)
            fd = os.open(os.path.join(directory, str(stripe)),
                         os.O_RDWR | os.O_CREAT, 0o600)
            got = None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX)
                got = time.monotonic()
                self._flock_depth[stripe] = 1
                yield
            finally:
                self._flock_depth[stripe] = 0
                os.close(fd)           # also releases the flock
                # Only what counts (the supervisor takes every lock on
                # each pass, for nothing, in microseconds).
                if got is not None and (got - asked > 0.01 or
                                        time.monotonic() - got > 0.05):
                    LOG.debug('timeline netns lock waited %.3f s, held '
                              '%.3f s', got - asked, time.monotonic() - got)

    def _deleting(self, compute_id):
        return os.path.exists(os.path.join(self._dir(compute_id),
                                           'deleting'))

    # -- the ComputeDriver interface -----------------------------------
    def prepare(self):
        """Machines of an earlier run keep running (like VMs); supervise
        them from the start, not from the next build."""
        self._ensure_supervisor()

    def boot_layout(self, kind, entity_id):
        return netns_agent.layout(self._dir(str(entity_id)), kind,
                                  str(entity_id))

    def build(self, spec):
        compute_id = str(spec.entity_id)
        with self._machine_locked(compute_id):
            meta = self._meta(compute_id)
            if meta and self._agent_pid(compute_id):
                return compute_id          # a retried build: already up
            try:
                self._build(compute_id, spec, meta)
            except Exception:
                # Nothing half-made stays: namespace, veths, files.
                LOG.exception('netns %s: build failed, cleaning up',
                              compute_id)
                self.delete(compute_id)
                raise
        return compute_id

    def _build(self, compute_id, spec, meta):
        directory = self._dir(compute_id)
        os.makedirs(directory, mode=0o700, exist_ok=True)
        namespace = self._namespace(compute_id)
        links.ensure_namespace(namespace)
        for port in spec.ports:
            self._attach(namespace, port)
        if meta is None:
            mgmt = spec.ports[0]
            layout = self.boot_layout(spec.kind, compute_id)
            meta = {'name': spec.name, 'kind': spec.kind,
                    'entity_id': compute_id, 'namespace': namespace,
                    'lb_network_ip': mgmt.ip_address,
                    'mgmt_port_id': mgmt.id,
                    'host_devices': [p.binding.get('host_device')
                                     for p in spec.ports],
                    'agent_port': spec.agent_port,
                    # Nothing to choose on one host: recorded only.
                    'image_tag': spec.image_tag,
                    'compute_flavor': spec.compute_flavor,
                    'server_group_id': spec.server_group_id,
                    'config_file': layout.config_file}
            boot_files.write(spec.boot_files)
            tmp = os.path.join(directory, 'meta.json.tmp')
            with open(tmp, 'w') as f:
                json.dump(meta, f)
            os.replace(tmp, os.path.join(directory, 'meta.json'))
        self._start_agent(compute_id, meta)
        self._ensure_supervisor()

    @staticmethod
    def _attach(namespace, port):
        """The veth of a port of the netns network driver (its binding
        names the bridge and both ends)."""
        binding = port.binding
        links.plug(namespace, binding['bridge'], binding['host_device'],
                   port.device, port.mac_address, port.mtu, port.ip_address,
                   ipaddress.ip_network(port.cidr).prefixlen)

    def create_server_group(self, name, policy='anti-affinity'):
        group_id = str(uuid.uuid4())
        directory = os.path.join(self.base, '.server-groups')
        os.makedirs(directory, mode=0o700, exist_ok=True)
        with open(os.path.join(directory, group_id), 'w') as f:
            json.dump({'name': name, 'policy': policy}, f)
        return group_id

    def delete_server_group(self, server_group_id):
        with contextlib.suppress(FileNotFoundError):
            os.unlink(os.path.join(self.base, '.server-groups',
                                   os.path.basename(server_group_id)))

    def wait_active(self, compute_id):
        meta = self._meta(compute_id)
        if meta is None:
            raise RuntimeError('no netns machine %s' % compute_id)
        deadline = time.monotonic() + self.opts.boot_timeout
        while time.monotonic() < deadline:
            if self._port_open(meta['lb_network_ip'], self._agent_port(meta)):
                return {'lb_network_ip': meta['lb_network_ip']}
            time.sleep(0.02)
        raise TimeoutError('agent of %s did not listen within %ss'
                           % (compute_id, self.opts.boot_timeout))

    def delete(self, compute_id):
        directory = self._dir(compute_id)
        namespace = self._namespace(compute_id)
        with self._machine_locked(compute_id):  # supervisors: marker or done
            if os.path.isdir(directory):
                open(os.path.join(directory, 'deleting'), 'w').close()
            self._procs.pop(compute_id, None)
        self._kill(namespace, self._agent_pid(compute_id))
        # The namespace end of each veth goes with the namespace; the
        # host end would too, a little later: remove it now.
        for device in (self._meta(compute_id) or {}).get('host_devices',
                                                         []):
            if device:
                links.remove_link(device)
        links.remove_namespace(namespace)
        shutil.rmtree(directory, ignore_errors=True)
        shutil.rmtree(netns_agent.run_dir(compute_id), ignore_errors=True)

    def status(self, compute_id):
        if not os.path.isdir(self._dir(compute_id)) and \
                not links.namespace_exists(self._namespace(compute_id)):
            return 'DELETED'
        meta = self._meta(compute_id)
        if meta is None or self._deleting(compute_id):
            return 'ERROR'
        if self._agent_pid(compute_id) is None:
            return 'ERROR'
        return 'ACTIVE' if self._port_open(
            meta['lb_network_ip'], self._agent_port(meta)) else 'BUILDING'

    # -- processes -----------------------------------------------------
    def _pidfile(self, compute_id):
        return os.path.join(self._dir(compute_id), 'agent.pid')

    def _agent_pid(self, compute_id):
        """The agent's PID if it runs.  The pid file also holds the
        process's start time, so a recycled PID is not mistaken for it
        (its command line is no proof: it changes while `ip netns exec`
        execs the agent, and another process saw it "dead" then)."""
        try:
            with open(self._pidfile(compute_id)) as f:
                pid, started = f.read().split()
            pid = int(pid)
        except (OSError, ValueError):
            return None
        proc = self._procs.get(compute_id)
        if proc is not None and proc.pid == pid and proc.poll() is not None:
            return None           # exited; poll() also reaped it
        found = procs.stat(pid)
        if found is None or found[0] in ('Z', 'X') or found[1] != started:
            return None
        return pid

    def _start_agent(self, compute_id, meta):
        cmd = ['ip', 'netns', 'exec', meta['namespace']] + \
            netns_agent.command(meta['kind'], self.opts, meta['config_file'])
        log = open(os.path.join(self._dir(compute_id), 'agent.out'), 'ab')
        with log:
            proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                    stdout=log, stderr=log,
                                    start_new_session=True)
        self._procs[compute_id] = proc
        started = procs.stat(proc.pid)
        with open(self._pidfile(compute_id), 'w') as f:
            f.write('%d %s' % (proc.pid, started[1] if started else '?'))
        LOG.info('netns %s: agent started (pid %d)', compute_id, proc.pid)

    def _kill(self, namespace, agent_pid, timeout=10.0):
        """Kill everything in the namespace by PID until nothing is left.

        The agent goes first and hard: a gunicorn master that sees its
        worker die spawns a new one, which would start HAProxy again.
        The namespace is scanned again each round for the same reason.
        """
        if agent_pid:
            procs.signal(agent_pid, signal.SIGKILL)
        start = time.monotonic()
        while True:
            victims = {p for p in namespace_pids(namespace) if procs.alive(p)}
            if agent_pid and procs.alive(agent_pid):
                victims.add(agent_pid)
            elapsed = time.monotonic() - start
            if not victims:
                break
            if elapsed > 2 * timeout:
                LOG.error('netns %s: processes %s do not die', namespace,
                          sorted(victims))
                break
            # A graceful stop first, then no more waiting.
            sig = signal.SIGTERM if elapsed < timeout / 2 else signal.SIGKILL
            for pid in victims:
                procs.signal(pid, sig)
            time.sleep(0.05)
        for proc in list(self._procs.values()):
            proc.poll()           # reap our own children

    def _agent_port(self, meta):
        # A machine built before the spec carried the port.
        return meta.get('agent_port') or self.opts.agent_port

    def _port_open(self, ip, port):
        try:
            with socket.create_connection((ip, port),
                                          timeout=0.5):
                return True
        except OSError:
            return False

    # -- supervision ---------------------------------------------------
    def _ensure_supervisor(self):
        if self._supervisor is None or not self._supervisor.is_alive():
            self._stop.clear()
            self._supervisor = threading.Thread(
                target=self._supervise, name='netns-supervisor', daemon=True)
            self._supervisor.start()

    def _supervise(self):
        while not self._stop.wait(self.opts.supervise_interval):
            try:
                self.check_agents()
            except Exception:          # keep supervising the others
                LOG.exception('netns supervision failed')

    def check_agents(self):
        """Restart every dead agent of a machine not being deleted;
        returns the compute ids restarted."""
        restarted = []
        if not os.path.isdir(self.base):
            return restarted
        for compute_id in os.listdir(self.base):
            with self._machine_locked(compute_id):
                meta = self._meta(compute_id)
                if (meta is None or self._deleting(compute_id) or
                        not links.namespace_exists(meta['namespace']) or
                        self._agent_pid(compute_id)):
                    continue
                LOG.warning('netns %s: agent died, restarting', compute_id)
                self._start_agent(compute_id, meta)
                restarted.append(compute_id)
        return restarted

    def stop_supervisor(self):
        self._stop.set()
        if self._supervisor is not None:
            self._supervisor.join(timeout=5)
