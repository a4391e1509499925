#!/usr/bin/env python
"""Health-manager throughput: heartbeats ingested per second with their
database writes, ours against upstream Octavia 19.0.0's UpdateHealthDb
side by side, and our CPU per heartbeat at 100, 1000 and 5000 amphorae.

    .venv/bin/python tests/bench/health.py [--beats 3000]
        [--sizes 100,1000,5000]

Both sides on SQLite (a fresh file each, each engine set up as its
service sets it up), the same rows (tests/bench/health_rows.py: one
load balancer per amphora, a listener, a pool and two members, ONLINE)
and the same version 3 steady-state heartbeats, one process, one
heartbeat after the other:
  ours      octavia_aa.controller.healthmanager.health_db.record_heartbeat
            (liveness with the replay check, listener statistics,
            operating statuses), on stamped messages as our agents send;
  upstream  UpdateHealthDb().update_health and update_stats (what its
            UDPStatusGetter submits to its two executors for each
            heartbeat), in its own venv under /var/cache/octavia-aa-test/
            (installed at first run, a lock file shared with the API
            bench; tests/bench/health_upstream.py runs there).
Neither side's envelope (HMAC, zlib) nor UDP is counted.  The last line
is one JSON object: heartbeats_per_s, upstream_heartbeats_per_s and
hm_ratio (ours / upstream) at --ratio-size amphorae (1000), and
cpu_ms_per_heartbeat_<n> / upstream_cpu_ms_per_heartbeat_<n> per size.
"""
import argparse
import json
import os
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from octavia_aa.common import config  # noqa: E402
from octavia_aa.controller.healthmanager import health_db  # noqa: E402
from octavia_aa.db import api as db_api  # noqa: E402
from octavia_aa.db import migration  # noqa: E402
from octavia_aa.db import models  # noqa: E402
from tests.bench import health_rows  # noqa: E402

VENV = os.environ.get('OAA_UPSTREAM_VENV',
                      '/var/cache/octavia-aa-test/upstream-octavia-venv')
PACKAGES = ('octavia==19.0.0', 'gunicorn')
UPSTREAM = os.path.join(REPO, 'tests', 'bench', 'health_upstream.py')
# A stamp as our agents send (common/heartbeat.py): boot time, seq.
BOOT = 1_700_000_000_000_000


def ours(size, beats, tmp):
    conf = config.CONF
    conf([], project='octavia-aa', default_config_files=[])
    conf.set_override('connection', 'sqlite:///%s' % os.path.join(
        tmp, 'ours-%d.sqlite' % size), 'database')
    db_api.reset()
    migration.upgrade()
    layout = health_rows.populate(db_api.get_engine(), models.Base.metadata,
                                  size)

    def ingest(message):
        kind, _ = health_db.record_heartbeat(message)
        assert kind == 'amphora', message['id']
    result = health_rows.timed(layout, ingest, beats,
                               stamp=lambda m: dict(m, boot=BOOT))
    db_api.reset()
    # Every timed heartbeat was recorded, not dropped as a replay.
    return result


def upstream(size, beats, tmp):
    from tests import keystone_server
    bindir = keystone_server.ensure_venv(VENV, PACKAGES)
    proc = subprocess.run(
        [os.path.join(bindir, 'python'), UPSTREAM, '--size', str(size),
         '--beats', str(beats), '--db', os.path.join(
             tmp, 'upstream-%d.sqlite' % size)],
        capture_output=True, text=True, timeout=1800,
        env=dict(os.environ, PYTHONPATH=REPO))
    if proc.returncode:
        raise RuntimeError('upstream side failed: %s' % proc.stderr[-3000:])
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--beats', type=int, default=3000)
    parser.add_argument('--sizes', default='100,1000,5000')
    parser.add_argument('--ratio-size', type=int, default=1000)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(',')]
    result = {}
    with tempfile.TemporaryDirectory(prefix='oaa-hm-bench-') as tmp:
        for size in sizes:
            # Alternated, upstream first, so neither side always runs on
            # a machine its own previous run warmed or loaded.
            theirs = upstream(size, args.beats, tmp)
            mine = ours(size, args.beats, tmp)
            print(size, 'ours', mine, 'upstream', theirs, file=sys.stderr)
            result['heartbeats_per_s_%d' % size] = mine['heartbeats_per_s']
            result['upstream_heartbeats_per_s_%d' % size] = \
                theirs['heartbeats_per_s']
            result['cpu_ms_per_heartbeat_%d' % size] = \
                mine['cpu_ms_per_heartbeat']
            result['upstream_cpu_ms_per_heartbeat_%d' % size] = \
                theirs['cpu_ms_per_heartbeat']
    at = args.ratio_size if args.ratio_size in sizes else sizes[0]
    result['heartbeats_per_s'] = result['heartbeats_per_s_%d' % at]
    result['upstream_heartbeats_per_s'] = \
        result['upstream_heartbeats_per_s_%d' % at]
    result['hm_ratio'] = round(result['heartbeats_per_s'] /
                               result['upstream_heartbeats_per_s'], 2)
    result['ratio_at_amphorae'] = at
    result['beats'] = args.beats
    result['load_average_1m'] = round(os.getloadavg()[0], 2)
    health_rows.emit(result)


if __name__ == '__main__':
    main()
