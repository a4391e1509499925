"""Client load through the VIP: one tests/scenario/load.py process in the
deployment's client namespace, and what its result says per amphora."""
import json
import os
import subprocess
import sys
import tempfile

from tests.amphora.bed import wait_for

HERE = os.path.dirname(os.path.abspath(__file__))
PY = sys.executable


class LoadRun:
    """One load.py process in the client namespace."""

    def __init__(self, dep, sources, interval=0.05, timeout=2.0,
                 requests_total=None, per_source=1, gap=None):
        self.dep = dep
        d = tempfile.mkdtemp(prefix='load-', dir=dep.tmp)
        self.stopfile = os.path.join(d, 'stop')
        self.readyfile = os.path.join(d, 'ready')
        cfg = {'vip': dep.vip, 'port': dep.vip_port, 'sources': list(sources),
               'per_source': per_source, 'interval': interval,
               'timeout': timeout, 'readyfile': self.readyfile}
        if gap is not None:
            cfg['gap'] = gap    # shortest pause recorded (load.py)
        if requests_total is None:
            cfg['stopfile'] = self.stopfile
        else:
            cfg['requests'] = requests_total
        self.proc = dep.spawn(dep.client_ns, [
            PY, os.path.join(HERE, 'load.py'), json.dumps(cfg)],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        self.result = None

    def wait_ready(self, timeout=30):
        wait_for(lambda: os.path.exists(self.readyfile) or
                 self.proc.poll() is not None, timeout=timeout,
                 what='every load connection answered')
        assert os.path.exists(self.readyfile), \
            'load ended before every connection got an answer'

    def stop(self, timeout=60):
        if self.result is None:
            open(self.stopfile, 'w').close()
            out, err = self.proc.communicate(timeout=timeout)
            assert self.proc.returncode == 0, err
            self.result = json.loads(out)
        return self.result


def by_amphora(result, since=None, until=None):
    """Per amphora member address: ok, failed, retried, connections.

    A failure on a connection that never got an answer (refused, timed
    out) is charged to the amphora of the same worker's previous
    connection: the flow hash of the worker's source address picked
    it."""
    stats = {}
    last_amp = {}
    conns = sorted(result['connections'],
                   key=lambda r: (r['worker'], r['seq']))
    for rec in conns:
        amp = rec['amp'] or last_amp.get(rec['worker']) or 'unknown'
        if rec['amp']:
            last_amp[rec['worker']] = rec['amp']
        s = stats.setdefault(amp, {'ok': 0, 'failed': 0, 'retried': 0,
                                   'connections': 0, 'failures': []})
        s['connections'] += 1
        s['ok'] += rec['ok']

        def inside(t):
            return ((since is None or t >= since) and
                    (until is None or t <= until))
        fails = [f for f in rec['failures'] if inside(f[0])]
        s['failed'] += len(fails)
        s['failures'].extend(fails)
        s['retried'] += len([r for r in rec['retried'] if inside(r[0])])
    return stats


def all_failures(result):
    return sorted(f for rec in result['connections']
                  for f in rec['failures'])
