"""Health checks of UDP pool members, the agent's own (what keepalived's
MISC/TCP/HTTP checkers do for upstream's LVS).

UDP-CONNECT sends one datagram on a connected socket: an ICMP port
unreachable (ECONNREFUSED) is a failure, an answer a success, silence
within the timeout a success too (a UDP service owes no answer;
upstream's check, a ``nc -uz``, reads the same way) except that it does
not end a run of failures: the member's kernel rate-limits its ICMP
errors (icmp_ratelimit, ~1/s per peer after a burst), and while clients'
flows still reach a dead member they use up that budget, so some probes
of a dead member go unanswered rather than refused.  TCP is a
connect, HTTP a request whose status must be in expected_codes.  A
member goes DOWN after max_retries_down failures in a row and UP
again after max_retries successes, as HAProxy's fall and rise.
"""
import concurrent.futures
import http.client
import logging
import socket
import threading
import time

from octavia_aa.amphorae.backends.agent import udp

LOG = logging.getLogger(__name__)
TICK = 0.05


SILENT = None


def probe_udp(ip, port, timeout):
    """True (answered), False (refused) or SILENT."""
    family = socket.AF_INET6 if ':' in ip else socket.AF_INET
    with socket.socket(family, socket.SOCK_DGRAM) as s:
        s.settimeout(timeout)
        try:
            s.connect((ip, port))
            s.send(b'\n')
            s.recv(512)
        except socket.timeout:
            return SILENT
        except OSError:
            return False
    return True


def probe_tcp(ip, port, timeout):
    try:
        socket.create_connection((ip, port), timeout).close()
        return True
    except OSError:
        return False


def expected(codes):
    codes = codes or '200'
    out = set()
    for part in codes.split(','):
        if '-' in part:
            low, high = (int(x) for x in part.split('-'))
            out.update(range(low, high + 1))
        else:
            out.add(int(part))
    return out


def probe_http(ip, port, timeout, monitor):
    conn = http.client.HTTPConnection(ip, port, timeout=timeout)
    try:
        conn.request(monitor.get('http_method') or 'GET',
                     monitor.get('url_path') or '/',
                     headers={'Host': monitor.get('domain_name') or ip})
        return conn.getresponse().status in expected(
            monitor.get('expected_codes'))
    except (OSError, http.client.HTTPException):
        return False
    finally:
        conn.close()


def probe(member, monitor):
    ip = member.get('monitor_address') or member['address']
    port = member.get('monitor_port') or member['port']
    timeout = float(monitor.get('timeout') or 1)
    kind = monitor['type']
    if kind == 'UDP-CONNECT':
        return probe_udp(ip, port, timeout)
    if kind == 'TCP':
        return probe_tcp(ip, port, timeout)
    if kind in ('HTTP', 'HTTPS'):
        return probe_http(ip, port, timeout, monitor)
    return True


class _Check:
    """One member of one pool under a monitor."""

    def __init__(self, member, monitor):
        self.member, self.monitor = member, monitor
        self.up = True              # as HAProxy: UP until it fails
        self.streak = 0
        self.due = 0.0
        self.running = False

    def key(self):
        return (self.member['id'], self.member['address'],
                self.member['port'], self.member.get('monitor_address'),
                self.member.get('monitor_port'), repr(sorted(
                    self.monitor.items())))

    def record(self, ok):
        """True when the member's status flipped."""
        if ok is SILENT:
            if self.up:
                return False        # neither ends nor extends a failure run
            ok = True
        if ok == self.up:
            self.streak = 0
            return False
        self.streak += 1
        need = (self.monitor.get('max_retries_down') or 3) if self.up \
            else (self.monitor.get('max_retries') or 1)
        if self.streak >= need:
            self.up, self.streak = ok, 0
            return True
        return False


class Prober(threading.Thread):
    """Probes every monitored member of every UDP load balancer;
    ``on_change(lb_id, went_down)`` is called after a member flips."""

    def __init__(self, on_change):
        super().__init__(name='udp-prober', daemon=True)
        self.on_change = on_change
        self.lock = threading.Lock()
        self.checks = {}            # lb_id -> {member_id: _Check}
        self.pool = concurrent.futures.ThreadPoolExecutor(4)
        self.stopped = threading.Event()

    def set_doc(self, lb_id, doc):
        new = {}
        for lst in (doc or {}).get('listeners', []):
            pool = lst.get('pool') or {}
            monitor = pool.get('monitor')
            if not monitor or not monitor.get('enabled', True):
                continue
            for m in pool.get('members', []):
                new[m['id']] = _Check(m, monitor)
        with self.lock:
            old = self.checks.get(lb_id, {})
            for mid, check in new.items():
                if mid in old and old[mid].key() == check.key():
                    new[mid] = old[mid]     # keep its state and streak
            if new:
                self.checks[lb_id] = new
            else:
                self.checks.pop(lb_id, None)

    def status(self, lb_id, doc):
        """member id -> UP, DOWN, no check or MAINT."""
        with self.lock:
            checks = dict(self.checks.get(lb_id, {}))
        out = {}
        for lst in (doc or {}).get('listeners', []):
            pool = lst.get('pool') or {}
            for m in pool.get('members', []):
                if not m.get('enabled', True) or not pool.get('enabled', 1):
                    out[m['id']] = udp.MAINT
                elif m['id'] in checks:
                    out[m['id']] = udp.UP if checks[m['id']].up else udp.DOWN
                else:
                    out[m['id']] = udp.NO_CHECK
        return out

    def _run_one(self, lb_id, check):
        try:
            ok = probe(check.member, check.monitor)
        except Exception:           # a broken probe is a failed probe
            LOG.exception('UDP member probe failed')
            ok = False
        with self.lock:
            check.running = False
            check.due = time.monotonic() + float(check.monitor.get('delay')
                                                 or 5)
            flipped = check.record(ok)
            current = self.checks.get(lb_id, {}).get(check.member['id'])
        if flipped and current is check:
            LOG.info('UDP member %s is %s', check.member['id'],
                     'UP' if check.up else 'DOWN')
            try:
                self.on_change(lb_id, None if check.up else check.member)
            except Exception:
                LOG.exception('applying a UDP member change failed')

    def run(self):
        while not self.stopped.wait(TICK):
            now = time.monotonic()
            with self.lock:
                due = [(lb, c) for lb, checks in self.checks.items()
                       for c in checks.values()
                       if not c.running and c.due <= now]
                for _, c in due:
                    c.running = True
            for lb, c in due:
                self.pool.submit(self._run_one, lb, c)

    def stop(self):
        self.stopped.set()
        self.pool.shutdown(wait=False)
