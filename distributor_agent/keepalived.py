"""keepalived (VRRPv3) supervisor for a pair of distributors.

keepalived owns the VIP addresses (so ARP/ND answers follow the VRRP
master).  The danger is a keepalived that dies while holding them: the
addresses stay configured, the peer stops hearing adverts and takes over,
and two nodes answer ARP for the same VIP.  So the supervisor watches the
keepalived processes every ``supervise_interval`` and, the moment one is
gone, removes every VIP address itself before restarting keepalived (which
comes back as BACKUP; ``nopreempt`` keeps it there while the peer works).
"""
import logging
import os
import signal
import subprocess
import threading
import time

from octavia_aa.common import procs
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)

NOTIFY = '''#!/bin/sh
# Written by the distributor agent: record the VRRP state keepalived sets.
echo "$3" > "%s.tmp" && mv "%s.tmp" "%s"
'''


def _cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().split(b'\0')
    except OSError:
        return []


def _read_pid(path):
    try:
        with open(path) as f:
            return int(f.read().strip())
    except (OSError, ValueError):
        return None


class Supervisor(threading.Thread):
    # The amphora agent's VRRP pair (ACTIVE_STANDBY) reuses this
    # supervisor with its own instance name and check script.
    instance_name = 'oaa_distributor'

    def __init__(self, opts, agent_id, dataplane, bindings=()):
        super().__init__(name='keepalived', daemon=True)
        self.opts = opts
        self.agent_id = agent_id
        self.dp = dataplane
        self.run_dir = opts.run_dir
        os.makedirs(self.run_dir, mode=0o755, exist_ok=True)
        self.conf_path = os.path.join(self.run_dir, 'keepalived.conf')
        self.pid_path = os.path.join(self.run_dir, 'keepalived.pid')
        self.vrrp_pid_path = os.path.join(self.run_dir, 'vrrp.pid')
        self.state_path = os.path.join(self.run_dir, 'vrrp.state')
        self.notify_path = os.path.join(self.run_dir, 'notify.sh')
        self.bindings = list(bindings)
        self.proc = None
        self.pid = None
        self.restarts = 0
        self._next_start = 0.0
        self._spawned_at = 0.0
        self.deaths = 0
        self._lock = threading.RLock()
        self.stopped = threading.Event()
        # Called with the new state when keepalived's notify script
        # records a transition (the agent sends a heartbeat at once: a
        # takeover tells the controller that the old master is gone).
        self.on_state = None
        self._seen_state = None
        self.state_since = time.monotonic()

    # -- config -----------------------------------------------------------
    def render(self):
        o = self.opts
        interface = o.interface or (self.bindings[0][1] if self.bindings
                                    else None)
        lines = [
            'global_defs {',
            '    router_id %s' % self.agent_id[:32],
            '    vrrp_version 3',
            '    vrrp_garp_master_delay 0',
            '    script_user root',
            '    enable_script_security',
            '}',
            *self.global_extra(),
            'vrrp_instance %s {' % self.instance_name,
            '    state BACKUP',
            '    nopreempt',
            '    interface %s' % interface,
            '    virtual_router_id %d' % o.virtual_router_id,
            '    priority %d' % o.priority,
            '    advert_int %s' % ('%g' % o.advert_int),
            '    notify "%s"' % self.notify_path,
            *self.instance_extra(),
        ]
        if o.unicast_src_ip:
            lines.append('    unicast_src_ip %s' % o.unicast_src_ip)
        if o.unicast_peers:
            lines.append('    unicast_peer {')
            lines += ['        %s' % p for p in o.unicast_peers]
            lines.append('    }')
        # keepalived wants at least one VIP, all of one family, in
        # virtual_ipaddress; the other family goes to the "excluded" list
        # (managed the same way, just not carried in adverts).
        family = ':' in self.bindings[0][0] if self.bindings else False
        main = [b for b in self.bindings if (':' in b[0]) == family]
        other = [b for b in self.bindings if (':' in b[0]) != family]
        for block, items in (('virtual_ipaddress', main),
                             ('virtual_ipaddress_excluded', other)):
            if items:
                lines.append('    %s {' % block)
                for vip, dev in items:
                    plen = 128 if ':' in vip else 32
                    lines.append('        %s/%d dev %s' % (vip, plen, dev))
                lines.append('    }')
        lines += ['}', '']
        return '\n'.join(lines)

    def global_extra(self):
        """Blocks between global_defs and the instance (subclasses)."""
        return []

    def instance_extra(self):
        """Lines inside the vrrp_instance (subclasses)."""
        return []

    def _write_config(self):
        with open(self.notify_path + '.tmp', 'w') as f:
            f.write(NOTIFY % ((self.state_path,) * 3))
        os.chmod(self.notify_path + '.tmp', 0o755)
        os.replace(self.notify_path + '.tmp', self.notify_path)
        text = self.render()
        try:
            with open(self.conf_path) as f:
                if f.read() == text:
                    return False
        except OSError:
            pass
        with open(self.conf_path + '.tmp', 'w') as f:
            f.write(text)
        os.replace(self.conf_path + '.tmp', self.conf_path)
        return True

    # -- processes --------------------------------------------------------
    def _adoptable(self):
        pid = _read_pid(self.pid_path)
        return pid if self._ours(pid) else None

    def _spawn(self):
        self.dp_clear()
        self._write_state(wire.VRRP_BACKUP)
        cmd = [self.opts.keepalived, '-n', '-l', '-D', '--vrrp',
               '-f', self.conf_path, '-p', self.pid_path,
               '-r', self.vrrp_pid_path, '--no-syslog']
        for path in (self.vrrp_pid_path,):
            try:
                os.unlink(path)
            except FileNotFoundError:
                pass
        self._spawned_at = time.monotonic()
        self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL,
                                     stdout=subprocess.DEVNULL,
                                     stderr=subprocess.DEVNULL)
        self.pid = self.proc.pid
        LOG.info('keepalived started, pid %d', self.pid)

    def _write_state(self, value):
        with open(self.state_path, 'w') as f:
            f.write(value + '\n')

    def dp_clear(self):
        """Stop answering for every VIP here (addresses removed)."""
        for vip, dev in self.bindings:
            self.dp.remove_vip(dev, vip)

    def start_keepalived(self):
        with self._lock:
            changed = self._write_config()
            pid = self._adoptable()
            if pid:
                # Agent restarted under a live keepalived: keep the VRRP
                # role it has, only reload if the VIPs changed meanwhile.
                self.pid, self.proc = pid, None
                LOG.info('adopted keepalived pid %d', pid)
                if changed:
                    os.kill(pid, signal.SIGHUP)
            elif self.bindings:
                self._spawn()
            else:
                self._write_state('IDLE')

    def _parent_alive(self):
        if self.proc is not None:
            return self.proc.poll() is None
        return self.pid is not None and procs.alive(self.pid)

    def _ours(self, pid):
        # A stale pid file may name a recycled pid: check it is our
        # keepalived (the VRRP child has the parent's command line).
        return bool(pid) and procs.alive(pid) and \
            self.conf_path.encode() in _cmdline(pid)

    def _vrrp_alive(self):
        pid = _read_pid(self.vrrp_pid_path)
        # No pid file yet: keepalived is still starting its VRRP child.
        return pid is None or self._ours(pid)

    def _kill_all(self):
        for pid in (_read_pid(self.vrrp_pid_path), self.pid):
            if self._ours(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass
        if self.proc is not None:
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                pass

    def check(self):
        """One supervision step; returns True if keepalived was dead."""
        with self._lock:
            if self.stopped.is_set():
                return False
            if not self.bindings:
                # Nothing to hold: keepalived refuses to run without a VIP.
                if self.pid:
                    self._terminate()
                    self._write_state('IDLE')
                return False
            if self.pid is None:
                if time.monotonic() >= self._next_start:
                    self._spawn()
                return False
            if self._parent_alive() and self._vrrp_alive():
                return False
            # First stop answering ARP, then clean up and restart.
            self.dp_clear()
            self._write_state(wire.VRRP_FAULT)
            self.deaths += 1
            LOG.error('keepalived %s died: VIPs removed, restarting',
                      self.pid)
            self._kill_all()
            self.pid = self.proc = None
            # Come back only after the peer surely took over (its
            # master-down timer is ~3.6 adverts), so we rejoin as BACKUP
            # instead of racing it; and at most once a second.
            now = time.monotonic()
            self._next_start = max(now + 5 * self.opts.advert_int,
                                   self._spawned_at + 1.0)
            if time.monotonic() >= self._next_start:
                self._spawn()
                self.restarts += 1
            return True

    def watch_state(self):
        """Notice a VRRP transition (polled with the supervision: the
        notify script only writes a file); returns the new state or None.
        """
        state = self.state
        if state == self._seen_state:
            return None
        LOG.info('VRRP state %s -> %s', self._seen_state, state)
        self._seen_state, self.state_since = state, time.monotonic()
        if self.on_state:
            self.on_state(state)
        return state

    def run(self):
        while not self.stopped.wait(self.opts.supervise_interval):
            try:
                self.check()
                self.watch_state()
            except Exception:
                LOG.exception('keepalived supervision failed')
                time.sleep(1)

    def update(self, bindings):
        with self._lock:
            removed = set(self.bindings) - set(bindings)
            self.bindings = list(bindings)
            changed = self._write_config()
            if not self.bindings:
                self._terminate()
                self._write_state('IDLE')
            elif self.pid is None:
                self._spawn()
            elif changed and self._parent_alive():
                os.kill(self.pid, signal.SIGHUP)
            # keepalived drops removed addresses on reload; make sure.
            for vip, dev in removed:
                self.dp.remove_vip(dev, vip)

    def _terminate(self):
        """Graceful: keepalived sends priority 0 so the peer takes over
        at once instead of after the master-down timeout."""
        if self.pid and self._parent_alive():
            try:
                os.kill(self.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
            deadline = time.monotonic() + 5
            while self._parent_alive() and time.monotonic() < deadline:
                time.sleep(0.02)
        self._kill_all()
        self.pid = self.proc = None
        self.dp_clear()

    def stop(self):
        with self._lock:
            self.stopped.set()
            self._terminate()

    @property
    def state(self):
        try:
            with open(self.state_path) as f:
                return f.read().strip() or 'UNKNOWN'
        except OSError:
            return 'UNKNOWN'

    def details(self):
        return {'state': self.state, 'pid': self.pid,
                'state_age': round(time.monotonic() - self.state_since, 3),
                'restarts': self.restarts, 'deaths': self.deaths,
                'advert_int': self.opts.advert_int,
                'priority': self.opts.priority}
