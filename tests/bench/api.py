"""API benchmark, side by side with upstream Octavia 19.0.0: both served
by gunicorn with the same flags, noauth, noop drivers, no worker process,
on the same kind of database (SQLite file or MariaDB); the same keep-alive
client drives both, alternating sides, for rounds of each phase:

- create: POST a load balancer (--lbs of them over the rounds), rate, p50
  and p99 latency (of every attempt), server CPU per request, errors
  (answers >= 300, each tried again, up to 5 times);
- show: GET one load balancer;
- list: GET the full list (--lbs load balancers);
- limit50: GET ?limit=50.

Each figure is the median of the rounds (3).  Server CPU is read from
/proc for the gunicorn processes.  Last line: one JSON object with both
sides' figures and the ratios (ours / upstream rate; create_p99_ratio is
upstream's p99 / ours).

    .venv/bin/python tests/bench/api.py [--db sqlite|mariadb] [--lbs 500]
        [--worker-class gthread|sync] [--workers 2] [--threads 8]

The machine may be shared: the JSON carries the load average; figures
taken on a loaded machine are upper bounds of the time things take.
"""
import argparse
import http.client
import json
import os
import statistics
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
from tests.bench import api_sides  # noqa: E402

ROUNDS = 3
# Tries of one request answered with an error.
ATTEMPTS = 5


def run_clients(port, n_requests, n_clients, make_request):
    """n_clients threads on keep-alive connections; returns (wall
    seconds, sorted latencies in ms)."""
    counter = iter(range(n_requests))
    lock = threading.Lock()
    errors = []
    failed = []
    latencies = []

    def client():
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=60)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body = make_request(i)
            for _ in range(ATTEMPTS):
                start = time.monotonic()
                conn.request(method, path, body=body, headers={
                    'Content-Type': 'application/json',
                    'Accept': 'application/json'})
                resp = conn.getresponse()
                data = resp.read()
                latencies.append((time.monotonic() - start) * 1000)
                if resp.getheader('connection', '').lower() == 'close':
                    conn.close()
                if resp.status < 300:
                    break
                # Upstream on SQLite answers 500 "database is locked" to
                # concurrent creates: counted, and tried again so that
                # both sides end with the same load balancers.
                errors.append((resp.status, data[:300]))
            else:
                failed.append(errors[-1])
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(n_clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.monotonic() - start
    if failed:
        raise SystemExit('errors: %s' % failed[:3])
    return wall, sorted(latencies), len(errors)


def percentile(sorted_values, p):
    if not sorted_values:
        return None
    return sorted_values[min(len(sorted_values) - 1,
                             int(len(sorted_values) * p / 100))]


def measure(side, n, clients, make_request):
    cpu0 = side.cpu()
    wall, lat, errors = run_clients(side.port, n, clients, make_request)
    return {'per_s': n / wall, 'cpu_ms': (side.cpu() - cpu0) * 1000 / n,
            'p50_ms': percentile(lat, 50), 'p99_ms': percentile(lat, 99),
            'errors': errors}


def fetch_ids(side):
    conn = http.client.HTTPConnection('127.0.0.1', side.port, timeout=60)
    conn.request('GET', '/v2.0/lbaas/loadbalancers?fields=id',
                 headers={'Accept': 'application/json'})
    ids = [lb['id'] for lb in json.loads(conn.getresponse().read())[
        'loadbalancers']]
    conn.close()
    return ids


def phases(args):
    """(phase, requests per round, request maker(side, ids)) in order;
    the create rounds together make --lbs load balancers."""
    per_round = -(-args.lbs // ROUNDS)

    def create(side, ids):
        return lambda i: ('POST', '/v2.0/lbaas/loadbalancers',
                          json.dumps(side.create_body(i)))

    def show(side, ids):
        return lambda i: ('GET', '/v2.0/lbaas/loadbalancers/%s'
                          % ids[i % len(ids)], None)

    def full_list(side, ids):
        return lambda i: ('GET', '/v2.0/lbaas/loadbalancers', None)

    def limit50(side, ids):
        return lambda i: ('GET', '/v2.0/lbaas/loadbalancers?limit=50', None)

    return [('create', per_round, create), ('show', args.shows, show),
            ('list', args.lists, full_list),
            ('limit50', args.limit50, limit50)]


def run(args, sides):
    results = {s.name: {} for s in sides}
    ids = {}
    made = {s.name: 0 for s in sides}
    for phase, n, maker in phases(args):
        rounds = {s.name: [] for s in sides}
        for r in range(ROUNDS):
            # Alternate which side goes first.
            order = sides if r % 2 == 0 else sides[::-1]
            for side in order:
                count = n
                if phase == 'create':
                    count = min(n, args.lbs - made[side.name])
                    base = made[side.name]
                    make = maker(side, None)
                    request = (lambda make, base: lambda i: make(base + i))(
                        make, base)
                    made[side.name] += count
                else:
                    request = maker(side, ids[side.name])
                rounds[side.name].append(
                    measure(side, count, args.clients, request))
        if phase == 'create':
            for side in sides:
                ids[side.name] = fetch_ids(side)
        for side in sides:
            figures = rounds[side.name]
            for key in figures[0]:
                combine = sum if key == 'errors' else statistics.median
                results[side.name]['%s_%s' % (phase, key)] = round(
                    combine(f[key] for f in figures), 2)
        results.setdefault('load_avg_1m', []).append(os.getloadavg()[0])
    for side in sides:
        results[side.name]['load_balancers'] = len(ids[side.name])
    return results


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--db', choices=('sqlite', 'mariadb'),
                        default='sqlite')
    parser.add_argument('--lbs', type=int, default=500)
    parser.add_argument('--shows', type=int, default=1500)
    parser.add_argument('--lists', type=int, default=24)
    parser.add_argument('--limit50', type=int, default=600)
    parser.add_argument('--clients', type=int, default=8)
    parser.add_argument('--workers', type=int, default=2)
    parser.add_argument('--threads', type=int, default=8)
    parser.add_argument('--worker-class', default='gthread',
                        choices=('gthread', 'sync'))
    parser.add_argument('--only', choices=('ours', 'upstream'),
                        help='run one side only (no ratios)')
    args = parser.parse_args()
    server = {'workers': args.workers, 'threads': args.threads,
              'worker_class': args.worker_class}
    kinds = [k for k in (api_sides.Ours, api_sides.Upstream)
             if args.only in (None, k.name)]
    sides = []
    stack = []
    try:
        for kind in kinds:
            db = api_sides.database(args.db, kind.name)
            state, url = db.__enter__()
            stack.append(db)
            side = kind(state, url, server)
            side.start()
            sides.append(side)
        results = run(args, sides)
    finally:
        for side in sides:
            side.stop()
        for db in reversed(stack):
            db.__exit__(None, None, None)
    loads = results.pop('load_avg_1m')
    out = {'db': args.db, 'server': server, 'clients': args.clients,
           'rounds': ROUNDS, 'load_avg_1m': [round(x, 1) for x in loads]}
    out.update(results)
    if len(sides) == 2:
        ours, up = results['ours'], results['upstream']
        for phase in ('show', 'list', 'limit50', 'create'):
            out['%s_ratio' % phase] = round(
                ours['%s_per_s' % phase] / up['%s_per_s' % phase], 2)
            out['%s_cpu_ratio' % phase] = round(
                up['%s_cpu_ms' % phase] / ours['%s_cpu_ms' % phase], 2)
        out['create_p99_ratio'] = round(
            up['create_p99_ms'] / ours['create_p99_ms'], 2)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
