"""What the distributor benchmarks share: the namespace lab, HAProxy
amphorae answering their name, wrk runs and a keep-alive load that
records failures (tests/bench/distributor.py and distributor_failover.py).
"""
import os
import re
import sys
import threading
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
if REPO not in sys.path:
    sys.path.insert(0, REPO)

from tests.distributor import lab as lab_mod  # noqa: E402

VIP = lab_mod.VIP
HAPROXY_CFG = '''global
    maxconn 4000
defaults
    mode http
    timeout connect 1s
    timeout client 30s
    timeout server 30s
frontend fe
    bind :80
''' + ('    http-request return status 200 content-type text/plain '
       'lf-string "%(name)s\\n" hdr X-Amp %(name)s\n')


def log(*args):
    print(*args, file=sys.stderr, flush=True)


def start_haproxy(lab, amp):
    """Replace the stand-in Python server by HAProxy (the real amphora
    software, and fast enough not to be the bottleneck)."""
    amp['proc'].kill()
    amp['proc'].wait()
    cfg = os.path.join(lab.tmp, '%s.cfg' % amp['name'])
    with open(cfg, 'w') as f:
        f.write(HAPROXY_CFG % amp)
    amp['proc'] = lab.spawn(amp['ns'], ['haproxy', '-db', '-f', cfg])
    lab_mod.wait_for(lambda: lab.fetch(amp['ns'], host='127.0.0.1') ==
                     amp['name'], what='haproxy %s' % amp['name'])


def _us(value):
    num, unit = re.match(r'([\d.]+)(us|ms|s)', value).groups()
    return float(num) * {'us': 1, 'ms': 1000, 's': 1e6}[unit]


def wrk(lab, ns, url, conns, seconds):
    out = lab_mod.sh('wrk', '-t1', '-c%d' % conns, '-d%ds' % seconds,
                     '--latency', url, ns=ns)
    rps = float(re.search(r'Requests/sec:\s+([\d.]+)', out).group(1))
    lat = dict(re.findall(r'^\s+(50|99)%\s+(\S+)', out, re.M))
    errors = re.search(r'Non-2xx or 3xx responses: (\d+)', out)
    sock = re.search(r'Socket errors: (.*)', out)
    return {'rps': rps, 'p50_us': _us(lat['50']), 'p99_us': _us(lat['99']),
            'errors': (int(errors.group(1)) if errors else 0),
            'socket_errors': sock.group(1) if sock else None}


def kernel_slots(ns, lb):
    out = lab_mod.sh('nft', 'list', 'ruleset', ns=ns)
    m = re.search(r'map slots_\w+ \{.*?elements = \{(.*?)\}', out, re.S)
    pairs = re.findall(r'(0x[0-9a-f]+) : ([0-9a-f:]{17})', m.group(1))
    return {int(k, 16): v for k, v in pairs}


class Load:
    """Keep-alive HTTP load from the client netns; reconnects on error."""

    def __init__(self, lab, ns, threads=8, timeout=2.0):
        self.lab, self.ns, self.timeout = lab, ns, timeout
        self.stop = threading.Event()
        self.lock = threading.Lock()
        self.ok, self.failed = [], []      # completion times
        self.serving = {}                  # thread index -> amphora name
        self.threads = [threading.Thread(target=self.run, args=(i,),
                                         daemon=True)
                        for i in range(threads)]

    def run(self, index):
        conn = None
        while not self.stop.is_set():
            try:
                if conn is None:
                    conn = self.lab.connect(self.ns, timeout=self.timeout)
                self.serving[index] = self.lab.get(conn)
                with self.lock:
                    self.ok.append(time.monotonic())
            except Exception:
                with self.lock:
                    self.failed.append(time.monotonic())
                if conn is not None:
                    conn.close()
                conn = None
                time.sleep(0.01)
        if conn is not None:
            conn.close()

    def __enter__(self):
        for t in self.threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        for t in self.threads:
            t.join(10)

    def max_gap_after(self, t0, t1):
        times = sorted([t0] + [t for t in self.ok if t0 <= t <= t1])
        return max(b - a for a, b in zip(times, times[1:]))
