"""The controller split the production way, for end-to-end scenarios:
octavia-aa-api, two octavia-aa-worker processes and
octavia-aa-health-manager, each a separate process with --config-file,
on the machine's real RabbitMQ (a vhost of our own), real MariaDB (a
database of our own, and one for the Taskflow persistence) and real
Redis (the jobboard, under a key namespace of our own), with the data
plane of Deployment (the netns drivers).

``SplitDeployment`` replaces Deployment.start_service(): nobody
bootstraps distributors in this mode, so it creates the VRRP pair through
the admin API as an operator would.  Nothing is shared with another run:
the vhost, databases, Redis keys, ports and [netns] name_prefix are made
up per deployment and removed again by close(), which also ends every
process it started by its PID (and the children it left), even after a
failure.  A service that is down (RabbitMQ, MariaDB, Redis) is a
failure, never a skip.
"""
import contextlib
import fcntl
import ipaddress
import json
import os
import random
import signal
import socket
import subprocess
import time

import pytest
import sqlalchemy as sa

from octavia_aa.common import procs
from tests.scenario import deployment

BIN = deployment.BIN
REPO = deployment.REPO

RABBIT = ('127.0.0.1', 5672)
MARIADB = ('127.0.0.1', 3306)
REDIS = ('127.0.0.1', 6379)
MARIADB_ADMIN = 'mysql+pymysql://root@127.0.0.1:3306/'
LOCK_DIR = '/run/lock/octavia-aa-scenario'
# Safety nets against a hung run, not measurements.
START_WITHIN = 90


def require(service, address):
    """A service that is down is a failure, never a skip."""
    try:
        socket.create_connection(address, timeout=5).close()
    except OSError as exc:
        pytest.fail('%s is not reachable at %s:%d (%s); this scenario '
                    'needs the real service' % ((service,) + address + (exc,)))


def tail(path, lines=40):
    try:
        with open(path, errors='replace') as f:
            return ''.join(f.readlines()[-lines:])
    except OSError:
        return '(no log at %s)' % path


def descendants(pid):
    found, todo = [], [pid]
    while todo:
        for kid in procs.children(todo.pop()):
            found.append(kid)
            todo.append(kid)
    return found


def host_networks():
    """Every IPv4 network with an address on this host (any interface,
    the host namespace) and every route's destination."""
    nets = []
    for args in (['ip', '-j', '-4', 'addr', 'show'],
                 ['ip', '-j', '-4', 'route', 'show', 'table', 'all']):
        out = subprocess.run(args, capture_output=True, text=True).stdout
        for item in json.loads(out or '[]'):
            for info in item.get('addr_info', []):
                nets.append(ipaddress.ip_network(
                    '%s/%s' % (info['local'], info['prefixlen']),
                    strict=False))
                nets.append(ipaddress.ip_network(info['local']))
            dst = item.get('dst')
            if dst and dst != 'default':
                with contextlib.suppress(ValueError):
                    nets.append(ipaddress.ip_network(dst, strict=False))
            if item.get('gateway'):
                nets.append(ipaddress.ip_network(item['gateway']))
    return nets


def pick_management_block(pool='192.0.2.0/24', size=28):
    """A /28 of pool that overlaps nothing on this host but the
    pool-wide route itself (this machine's eth0 may sit in 192.0.2.0/24,
    with its own address and default gateway in the first block), locked
    with flock for this deployment's lifetime so that concurrent runs
    using this function never take the same one.  Returns (network,
    lock file object)."""
    pool = ipaddress.ip_network(pool)
    os.makedirs(LOCK_DIR, exist_ok=True)
    candidates = list(pool.subnets(new_prefix=size))
    random.shuffle(candidates)
    # Only addresses and narrower routes count: the pool-wide connected
    # route of eth0 overlaps every block.
    used = [n for n in host_networks() if n.prefixlen > pool.prefixlen]
    for block in candidates:
        if any(block.overlaps(n) for n in used):
            continue
        lock = open(os.path.join(LOCK_DIR, 'mgmt-%s.lock'
                                 % block.network_address), 'w')
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError:
            lock.close()
            continue
        return block, lock
    pytest.fail('no free /%d management block in %s on this host'
                % (size, pool))


def rabbitmqctl(*args):
    return subprocess.run(['rabbitmqctl', '-q', *args], capture_output=True,
                          text=True, timeout=120)


class Process:
    """One controller process: its binary, the shared config file plus
    one of its own ([DEFAULT] host and log_file), its log."""

    def __init__(self, name, binary, conf_files, log, err):
        self.name = name
        self.binary = binary
        self.conf_files = conf_files
        self.log = log
        self.err = err
        self.proc = None

    def start(self, env):
        args = [os.path.join(BIN, self.binary)]
        for conf in self.conf_files:
            args += ['--config-file', conf]
        with open(self.err, 'ab') as err:
            self.proc = subprocess.Popen(args, env=env, cwd=REPO,
                                         stdin=subprocess.DEVNULL,
                                         stdout=err, stderr=err,
                                         start_new_session=True)
        return self.proc

    @property
    def pid(self):
        return self.proc.pid if self.proc else None

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def logged(self, needle):
        with contextlib.suppress(OSError):
            with open(self.log, errors='replace') as f:
                return needle in f.read()
        return False

    def count(self, needle):
        with contextlib.suppress(OSError):
            with open(self.log, errors='replace') as f:
                return f.read().count(needle)
        return 0

    def describe(self):
        return ('%s (pid %s, exit %s)\n--- %s ---\n%s\n--- stderr ---\n%s'
                % (self.name, self.pid,
                   self.proc.poll() if self.proc else None, self.log,
                   tail(self.log), tail(self.err, 20)))

    def kill(self, sig=signal.SIGKILL):
        """Signal the process itself (a crash, with SIGKILL), reap it."""
        if self.alive():
            procs.signal(self.proc.pid, sig)
            self.proc.wait(30)

    def stop(self, timeout=30):
        """SIGTERM, then SIGKILL, of the process and of whatever children
        it left (gunicorn's workers), all by PID; returns the exit code."""
        if self.proc is None:
            return None
        kids = descendants(self.proc.pid) if self.alive() else []
        if self.alive():
            procs.signal(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                kids += descendants(self.proc.pid)
                procs.signal(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        for kid in kids:
            procs.signal(kid, signal.SIGKILL)
        return self.proc.returncode


class SplitDeployment(deployment.Deployment):
    """Deployment with API, workers and health manager as separate
    processes on RabbitMQ, MariaDB and Redis."""

    workers = 2
    jobboard = True
    # How fast a dead worker's work is taken over (the defaults are
    # minutes, sized for production).
    claim_timeout = 10
    pending_timeout = 30
    jobboard_expiration_time = 10

    def __init__(self, tmp=None, jobboard=None):
        super().__init__(tmp)
        if jobboard is not None:
            self.jobboard = jobboard
        # Deployment picks its management /28 at random: on this machine
        # that may be eth0's own block (192.0.2.1 is the default gateway,
        # 192.0.2.2 eth0) or a block another deployment is using right
        # now, whose agents then answer ours (seen: certificate verify
        # failed, "agent did not listen within 60s").
        block, self._block_lock = pick_management_block()
        self.mgmt_cidr = str(block)
        self.mgmt_gw = str(block.network_address + 1)
        # The name prefix is already unique per deployment on this host.
        tag = 'aa_split_%s' % self.prefix
        self.vhost = tag
        self.db_name = tag
        self.tf_db_name = tag + '_tf'
        self.redis_namespace = 'octavia_aa_split_%s' % self.prefix
        self.processes = {}
        self.killed = set()
        self.distributor_ids = []
        self.resources_error = None
        self._vhost_made = False
        self._dbs_made = []

    # -- configuration --------------------------------------------------
    @property
    def db_url(self):
        return 'mysql+pymysql://root@127.0.0.1:3306/%s' % self.db_name

    @property
    def transport_url(self):
        return 'rabbit://guest:guest@127.0.0.1:5672/%s' % self.vhost

    def config_sections(self):
        conf = super().config_sections()
        conf['DEFAULT'].update(transport_url=self.transport_url,
                               debug='false')
        conf['api_settings'].update(api_workers=1)
        # The operator creates them (below); no process bootstraps here.
        conf['controller_worker']['distributor_bootstrap'] = 'none'
        conf['cluster_manager'].update(claim_timeout=self.claim_timeout,
                                       pending_timeout=self.pending_timeout)
        conf['task_flow'] = {
            # Shared by both workers, so either one can finish the other's
            # flows; a database of its own (Taskflow's migrations keep
            # their version in a table named like ours).
            'persistence_connection':
                'mysql+pymysql://root@127.0.0.1:3306/%s' % self.tf_db_name,
            'max_workers': 4,
            'jobboard_enabled': 'true' if self.jobboard else 'false',
            'jobboard_backend_namespace': self.redis_namespace,
            'jobboard_expiration_time': self.jobboard_expiration_time}
        return conf

    def _own_conf(self, name, host):
        path = os.path.join(self.tmp, name + '.conf')
        with open(path, 'w') as f:
            f.write('[DEFAULT]\nhost = %s\nlog_file = %s\n'
                    % (host, os.path.join(self.tmp, name + '.log')))
        return path

    def worker_host(self, i):
        return 'split-%s-worker-%d' % (self.prefix, i)

    def env(self):
        env = {k: v for k, v in os.environ.items()
               if not k.startswith('OS_')}
        env['PYTHONPATH'] = os.pathsep.join(
            [REPO] + [p for p in [os.environ.get('PYTHONPATH')] if p])
        return env

    # -- the machine's services ------------------------------------------
    def _make_vhost(self):
        require('RabbitMQ', RABBIT)
        out = rabbitmqctl('add_vhost', self.vhost)
        assert out.returncode == 0, out.stdout + out.stderr
        self._vhost_made = True
        out = rabbitmqctl('set_permissions', '-p', self.vhost, 'guest',
                          '.*', '.*', '.*')
        assert out.returncode == 0, out.stdout + out.stderr

    def _drop_vhost(self):
        if self._vhost_made:
            out = rabbitmqctl('delete_vhost', self.vhost)
            assert out.returncode == 0, out.stdout + out.stderr
            self._vhost_made = False

    def _admin(self):
        return sa.create_engine(MARIADB_ADMIN, isolation_level='AUTOCOMMIT')

    def _make_dbs(self):
        require('MariaDB', MARIADB)
        admin = self._admin()
        try:
            with admin.connect() as conn:
                for name in (self.db_name, self.tf_db_name):
                    conn.execute(sa.text('CREATE DATABASE %s' % name))
                    self._dbs_made.append(name)
        finally:
            admin.dispose()

    def _drop_dbs(self):
        if not self._dbs_made:
            return
        admin = self._admin()
        try:
            with admin.connect() as conn:
                while self._dbs_made:
                    conn.execute(sa.text('DROP DATABASE IF EXISTS %s'
                                         % self._dbs_made[-1]))
                    self._dbs_made.pop()
        finally:
            admin.dispose()

    def _redis(self):
        import redis
        return redis.Redis(host=REDIS[0], port=REDIS[1])

    def redis_keys(self):
        client = self._redis()
        try:
            return sorted(client.scan_iter(match=self.redis_namespace + '*'))
        finally:
            client.close()

    def _drop_redis_keys(self):
        if not self.jobboard:
            return
        client = self._redis()
        try:
            keys = list(client.scan_iter(match=self.redis_namespace + '*'))
            if keys:
                client.delete(*keys)
        finally:
            client.close()

    def databases(self):
        admin = self._admin()
        try:
            with admin.connect() as conn:
                return [r[0] for r in conn.execute(sa.text(
                    'SHOW DATABASES LIKE :p'), {'p': self.db_name + '%'})]
        finally:
            admin.dispose()

    def _run(self, args):
        out = subprocess.run(args, capture_output=True, text=True,
                             env=self.env(), cwd=REPO, timeout=300)
        assert out.returncode == 0, '%s failed (%d):\n%s%s' % (
            ' '.join(args), out.returncode, out.stdout, out.stderr)
        return out

    def _pki(self):
        """What octavia-aa-all does on start, and an operator by hand in
        production: the local CAs and the controller's certificate."""
        ca_dir = os.path.join(self.state, 'ca')
        self._run([os.path.join(BIN, 'octavia-aa-certs'), 'init', ca_dir])
        self._run([os.path.join(BIN, 'octavia-aa-certs'), 'client', ca_dir,
                   os.path.join(ca_dir, 'controller.pem')])

    # -- processes --------------------------------------------------------
    def _add(self, name, binary, host):
        proc = Process(name, binary,
                       [self.conf_file, self._own_conf(name, host)],
                       os.path.join(self.tmp, name + '.log'),
                       os.path.join(self.tmp, name + '.err'))
        self.processes[name] = proc
        return proc

    def _launch(self, proc, ready=None):
        self.service_procs.append(proc.start(self.env()))
        if ready:
            self.wait_logged(proc, ready)

    def wait_logged(self, proc, needle, within=START_WITHIN):
        deadline = time.monotonic() + within
        while time.monotonic() < deadline:
            if not proc.alive():
                pytest.fail('%s exited while starting:\n%s'
                            % (proc.name, proc.describe()))
            if proc.logged(needle):
                return
            time.sleep(0.2)
        pytest.fail('%s did not log %r within %ss:\n%s'
                    % (proc.name, needle, within, proc.describe()))

    def start_service(self):
        if self.jobboard:
            require('Redis', REDIS)
        self._make_vhost()
        self._make_dbs()
        self._run([os.path.join(BIN, 'octavia-aa-db-manage'),
                   '--config-file', self.conf_file, 'upgrade'])
        self._pki()
        self._launch(self._add('health-manager', 'octavia-aa-health-manager',
                               'split-%s-hm' % self.prefix),
                     'Health manager listening')
        # One worker after the other: two starting at once on a fresh
        # Taskflow persistence database race in its schema upgrade
        # (engine.FlowRunner: "Table 'alembic_version' already exists"
        # kills the loser), and octavia-aa-db-manage does not create that
        # schema.
        for i in range(1, self.workers + 1):
            self._launch(self._add('worker-%d' % i, 'octavia-aa-worker',
                                   self.worker_host(i)), 'Worker ready')
        self._launch(self._add('api', 'octavia-aa-api',
                               'split-%s-api' % self.prefix))
        self.wait_api()
        self.distributor_ids = self.create_distributor_pair()

    def create_distributor_pair(self):
        """BACKUP first, then the MASTER naming it as its peer."""
        backup = self.api('POST', '/v2/octavia/distributors', {
            'distributor': {'name': 'd-backup',
                            'role': 'BACKUP'}})['distributor']
        master = self.api('POST', '/v2/octavia/distributors', {
            'distributor': {'name': 'd-master', 'role': 'MASTER',
                            'peer_id': backup['id']}})['distributor']
        return [backup['id'], master['id']]

    def check_service(self):
        """Every process runs, except those a test killed on purpose."""
        for name, proc in self.processes.items():
            if name not in self.killed and proc.proc is not None and \
                    not proc.alive():
                raise AssertionError('%s exited unexpectedly:\n%s'
                                     % (name, proc.describe()))

    def kill(self, name, sig=signal.SIGKILL):
        """Crash one controller process by its PID."""
        self.killed.add(name)
        proc = self.processes[name]
        proc.kill(sig)
        if proc.proc in self.service_procs:
            self.service_procs.remove(proc.proc)

    def restart(self, name):
        """Start a process again (after kill()) on the same config and
        host name, as an operator or systemd would; waits until ready."""
        proc = self.processes[name]
        assert not proc.alive(), '%s still runs' % name
        ready = {'api': None, 'health-manager': 'Health manager listening'}
        needle = ready.get(name, 'Worker ready')
        before = proc.count(needle) if needle else 0
        self.service_procs.append(proc.start(self.env()))
        self.killed.discard(name)
        deadline = time.monotonic() + START_WITHIN
        while needle and proc.count(needle) <= before:
            if not proc.alive() or time.monotonic() > deadline:
                pytest.fail('%s did not start again:\n%s'
                            % (name, proc.describe()))
            time.sleep(0.2)

    def worker_named(self, host):
        for name, proc in self.processes.items():
            if name.startswith('worker-') and \
                    self.worker_host(int(name.split('-')[1])) == host:
                return name
        return None

    def stop_service(self, timeout=30):
        """The API first (nothing new is cast), then the others; by PID,
        with the children they leave."""
        codes = {}
        for name in sorted(self.processes, key=lambda n: (n != 'api', n)):
            codes[name] = self.processes[name].stop(timeout)
        self.service_procs = []
        self.exit_codes = codes
        return codes

    def leaks(self, lb_id=None, vip=None):
        """Deployment.leaks(), knowing that octavia-aa-api's gunicorn
        workers (children of the API process) are part of the service."""
        found = super().leaks(lb_id, vip)
        api = self.processes.get('api')
        if api is not None and api.alive():
            ours = set(descendants(api.pid))
            found['processes'] = {pid: cmd for pid, cmd
                                  in found['processes'].items()
                                  if pid not in ours}
        return found

    def logs(self):
        return '\n'.join(p.describe() for p in self.processes.values())

    # -- clean-up -------------------------------------------------------
    def remove_resources(self):
        """The vhost, databases and Redis keys (after the processes)."""
        errors = []
        for step in (self._drop_redis_keys, self._drop_vhost,
                     self._drop_dbs):
            try:
                step()
            except Exception as exc:       # every step runs
                errors.append('%s: %r' % (step.__name__, exc))
        return errors

    def close(self):
        try:
            super().close()
        finally:
            with contextlib.suppress(OSError):
                self._block_lock.close()      # releases the flock
            # Even when stopping or a namespace failed: after the
            # processes (super().close() stops them first).
            errors = self.remove_resources()
            if errors:
                raise AssertionError('clean-up of %s failed: %s'
                                     % (self.prefix, errors))
