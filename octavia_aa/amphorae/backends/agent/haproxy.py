"""One HAProxy per load balancer, in master-worker mode.

Layout of ``<state_dir>/lb/<lb_id>/``: haproxy.cfg (the uploaded file),
agent.cfg (the agent's own global settings), certs/, haproxy.pid (the
master), master.sock (master CLI) and stats.sock (admin socket that also
hands the listening sockets to the next worker on reload).

A reload is SIGUSR2 to the master: it re-executes with the new file, the
new worker takes the listening sockets over from the old one (no refused
connection) and the old worker finishes its established connections.
"""
import hashlib
import os
import re
import shutil
import signal
import socket
import subprocess
import time

from octavia_aa.amphorae.backends.agent import errors
from octavia_aa.common import procs

_NAME = re.compile(r'^[A-Za-z0-9_.-]{1,200}$')
PING_CHECK = '''#!/bin/sh
# HAProxy external-check: $3 is the server address.
case "$3" in *:*) exec ping -6 -q -n -c 1 -W 1 "$3" >/dev/null 2>&1;; esac
exec ping -q -n -c 1 -W 1 "$3" >/dev/null 2>&1
'''


def check_name(name, what='name'):
    if not _NAME.match(name or '') or name in ('.', '..'):
        raise errors.BadRequest('invalid %s %r' % (what, name))
    return name


def _write(path, data, mode=0o644):
    tmp = '%s.tmp' % path
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
    with os.fdopen(fd, 'wb') as f:
        f.write(data if isinstance(data, bytes) else data.encode())
    os.replace(tmp, path)


def query(sock_path, command, timeout=5.0):
    """One command on an HAProxy CLI socket; returns the whole answer."""
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
        s.settimeout(timeout)
        s.connect(sock_path)
        s.sendall(command.encode() + b'\n')
        # The master CLI keeps the connection open unless told we are done.
        s.shutdown(socket.SHUT_WR)
        chunks = []
        while True:
            data = s.recv(65536)
            if not data:
                break
            chunks.append(data)
    return b''.join(chunks).decode(errors='replace')


# Every client address matches: all connections are drained.
DRAIN_ALL = ('0.0.0.0/0', '::/0')


class LoadBalancer:

    def __init__(self, base, lb_id, opts):
        self.id = check_name(lb_id, 'load balancer id')
        self.dir = os.path.join(base, self.id)
        self.opts = opts
        self.cfg = os.path.join(self.dir, 'haproxy.cfg')
        self.agent_cfg = os.path.join(self.dir, 'agent.cfg')
        self.certs = os.path.join(self.dir, 'certs')
        self.pidfile = os.path.join(self.dir, 'haproxy.pid')
        # UNIX socket paths are limited to ~100 bytes and state dirs can
        # be deep: HAProxy sees the directory through a short symlink.
        self.link = os.path.join(opts.run_dir, hashlib.sha256(
            self.dir.encode()).hexdigest()[:16])
        self.master_sock = os.path.join(self.link, 'master.sock')
        self.stats_sock = os.path.join(self.link, 'stats.sock')
        # As the configuration names it: the runtime API finds a pattern
        # file by that name.
        self.drain_acl = os.path.join(self.link, 'drain.acl')

    # -- files ---------------------------------------------------------
    def exists(self):
        return os.path.exists(self.cfg)

    def _env(self):
        return dict(os.environ, LB_DIR=self.link)

    def _prepare(self):
        os.makedirs(self.certs, mode=0o700, exist_ok=True)
        os.makedirs(self.opts.run_dir, mode=0o700, exist_ok=True)
        if os.path.realpath(self.link) != os.path.realpath(self.dir):
            tmp = self.link + '.tmp'
            _unlink(tmp)
            os.symlink(self.dir, tmp)
            os.replace(tmp, self.link)
        _write(self.agent_cfg,
               'global\n    hard-stop-after %ds\n' % self.opts.hard_stop_after)
        ping = os.path.join(self.dir, 'ping-check.sh')
        if not os.path.exists(ping):
            _write(ping, PING_CHECK, 0o755)
        # HAProxy refuses a configuration whose pattern file is missing.
        acl = os.path.join(self.dir, 'drain.acl')
        if not os.path.exists(acl):
            _write(acl, '')

    def _args(self, cfg):
        return [self.opts.haproxy, '-f', self.agent_cfg, '-f', cfg]

    def validate(self, text):
        """Check text with ``haproxy -c`` in this LB's environment; on
        success returns the path of the checked candidate file."""
        self._prepare()
        candidate = self.cfg + '.new'
        _write(candidate, text)
        result = subprocess.run(self._args(candidate) + ['-c'],
                                env=self._env(), capture_output=True,
                                text=True, timeout=60)
        if result.returncode != 0:
            os.unlink(candidate)
            raise errors.BadRequest(
                'HAProxy rejected the configuration',
                haproxy_output=(result.stdout + result.stderr).strip())
        return candidate

    def install(self, text):
        os.replace(self.validate(text), self.cfg)

    def config_text(self):
        try:
            with open(self.cfg) as f:
                return f.read()
        except FileNotFoundError:
            raise errors.NotFound('no configuration for load balancer %s'
                                  % self.id)

    # -- certificates --------------------------------------------------
    def put_cert(self, name, pem):
        self._prepare()
        if b'-----BEGIN' not in pem:
            raise errors.BadRequest('not a PEM file')
        _write(os.path.join(self.certs, check_name(name, 'file name')),
               pem, 0o600)
        return {'md5sum': hashlib.md5(pem).hexdigest()}

    def get_cert(self, name):
        try:
            with open(os.path.join(self.certs, check_name(name)), 'rb') as f:
                return {'md5sum': hashlib.md5(f.read()).hexdigest()}
        except FileNotFoundError:
            raise errors.NotFound('no certificate %s' % name)

    def delete_cert(self, name):
        try:
            os.unlink(os.path.join(self.certs, check_name(name)))
        except FileNotFoundError:
            pass
        return {}

    # -- process -------------------------------------------------------
    def master_pid(self):
        try:
            with open(self.pidfile) as f:
                pid = int(f.read().split()[0])
            with open('/proc/%d/cmdline' % pid, 'rb') as f:
                cmdline = f.read()
        except (OSError, ValueError, IndexError):
            return None
        # A recycled PID is not our master.
        return pid if self.cfg.encode() in cmdline else None

    def running(self):
        return self.master_pid() is not None

    def workers(self):
        """PIDs of the current (not old) workers, from the master CLI."""
        try:
            text = query(self.master_sock, 'show proc')
        except OSError:
            return set()
        pids, section = set(), None
        for line in text.splitlines():
            if line.startswith('#'):
                section = line.strip('# ').lower()
                continue
            parts = line.split()
            if section == 'workers' and parts and parts[0].isdigit():
                pids.add(int(parts[0]))
        return pids

    def _wait_worker(self, old):
        deadline = time.monotonic() + self.opts.reload_timeout
        while time.monotonic() < deadline:
            new = self.workers() - old
            if new:
                return new
            time.sleep(0.02)
        raise errors.ApiError('HAProxy did not start a new worker within '
                              '%ss' % self.opts.reload_timeout)

    def start(self):
        if self.running():
            return {'message': 'already running'}
        if not self.exists():
            raise errors.NotFound('no configuration for load balancer %s'
                                  % self.id)
        self._prepare()
        result = subprocess.run(
            self._args(self.cfg) + ['-W', '-D', '-p', self.pidfile,
                                    '-S', self.master_sock],
            env=self._env(), capture_output=True, text=True, timeout=60)
        if result.returncode != 0:
            raise errors.ApiError('HAProxy failed to start',
                                  haproxy_output=(result.stdout +
                                                  result.stderr).strip())
        self._wait_worker(set())
        return {'message': 'started'}

    def reload(self):
        pid = self.master_pid()
        if pid is None:
            return self.start()
        old = self.workers()
        os.kill(pid, signal.SIGUSR2)
        self._wait_worker(old)
        return {'message': 'reloaded'}

    def stop(self, timeout=10.0):
        """Stop the master and every worker (old ones too) by PID."""
        pid = self.master_pid()
        if pid is None:
            return {'message': 'not running'}
        victims = {pid} | self.workers() | _children(pid)
        for p in victims:
            procs.signal(p, signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and \
                any(procs.alive(p) for p in victims):
            time.sleep(0.02)
        for p in victims:
            procs.signal(p, signal.SIGKILL)
        for path in (self.pidfile, self.master_sock, self.stats_sock):
            _unlink(path)
        return {'message': 'stopped'}

    def drain(self):
        """Close every HTTP keep-alive connection after its next
        response, without a reload: the runtime API changes the running
        processes, the file a later reload or restart."""
        self._prepare()
        _write(os.path.join(self.dir, 'drain.acl'), ''.join(
            '%s\n' % net for net in DRAIN_ALL))
        if self.running():
            for net in DRAIN_ALL:
                answer = query(self.stats_sock, 'add acl %s %s'
                               % (self.drain_acl, net)).strip()
                if answer:
                    raise errors.ApiError('HAProxy refused to drain',
                                          haproxy_output=answer)
        return {'message': 'draining'}

    def delete(self):
        self.stop()
        _unlink(self.link)
        shutil.rmtree(self.dir, ignore_errors=True)
        return {'message': 'deleted'}

    def stats(self):
        """HAProxy's ``show stat`` as a list of dicts (empty if down)."""
        try:
            text = query(self.stats_sock, 'show stat')
        except OSError:
            return []
        lines = [line for line in text.splitlines() if line.strip()]
        if not lines or not lines[0].startswith('# '):
            return []
        header = lines[0][2:].split(',')
        return [dict(zip(header, line.split(','))) for line in lines[1:]]


def _children(pid):
    try:
        with open('/proc/%d/task/%d/children' % (pid, pid)) as f:
            return {int(p) for p in f.read().split()}
    except OSError:
        return set()


def _unlink(path):
    try:
        os.unlink(path)
    except FileNotFoundError:
        pass


class Registry:
    """All load balancers under ``<state_dir>/lb``."""

    def __init__(self, state_dir, opts):
        self.base = os.path.join(state_dir, 'lb')
        os.makedirs(self.base, exist_ok=True)
        self.opts = opts

    def get(self, lb_id):
        return LoadBalancer(self.base, lb_id, self.opts)

    def all(self):
        return [self.get(n) for n in sorted(os.listdir(self.base))
                if _NAME.match(n) and
                os.path.exists(os.path.join(self.base, n, 'haproxy.cfg'))]
