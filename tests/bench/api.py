"""API benchmark: octavia-aa-api under gunicorn (2 workers, as upstream's
figures were taken), SQLite file database, casts going nowhere (fake://):
this measures the API itself, not the worker.

Prints server CPU per request (read from /proc for the gunicorn processes)
and the rate seen by keep-alive clients, for create, show and a full list
of 500 load balancers. Last line: one JSON object.

    .venv/bin/python tests/bench/api.py [--creates 500] [--shows 2000]
"""
import argparse
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

import psutil

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
from tests import noop  # noqa: E402

BIN = os.path.dirname(sys.executable)
UPSTREAM = {'create_cpu_ms': 30.0, 'create_per_s': 53.0, 'show_per_s': 118.0,
            'list500_ms': 742.0}


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def cpu_seconds(proc):
    total = 0.0
    for p in [proc] + proc.children(recursive=True):
        try:
            t = p.cpu_times()
            total += t.user + t.system
        except psutil.NoSuchProcess:
            pass
    return total


def run_clients(port, n_requests, n_clients, make_request):
    """n_clients threads, keep-alive connections; returns wall seconds."""
    counter = iter(range(n_requests))
    lock = threading.Lock()
    errors = []

    def client():
        conn = http.client.HTTPConnection('127.0.0.1', port, timeout=30)
        while True:
            with lock:
                i = next(counter, None)
            if i is None:
                break
            method, path, body = make_request(i)
            conn.request(method, path, body=body, headers={
                'Content-Type': 'application/json',
                'Accept': 'application/json'})
            resp = conn.getresponse()
            data = resp.read()
            if resp.status >= 300:
                errors.append((resp.status, data[:200]))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(n_clients)]
    start = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        raise SystemExit('errors: %s' % errors[:3])
    return time.monotonic() - start


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--creates', type=int, default=500)
    parser.add_argument('--shows', type=int, default=3000)
    parser.add_argument('--lists', type=int, default=20)
    parser.add_argument('--clients', type=int, default=4)
    args = parser.parse_args()

    state = tempfile.mkdtemp(prefix='aa-bench-')
    port = free_port()
    conf = os.path.join(state, 'octavia-aa.conf')
    with open(conf, 'w') as f:
        f.write('[DEFAULT]\nstate_path = %s\ntransport_url = fake://\n'
                '[api_settings]\nbind_port = %d\napi_workers = 2\n'
                '[networking]\nsubnets = bench-subnet\n'
                '[subnet:bench-subnet]\ncidr = 198.51.100.0/22\n'
                'gateway_ip = 198.51.100.1\nnetwork_name = bench\n%s'
                % (state, port, noop.CONF_SECTION))
    subprocess.run([os.path.join(BIN, 'octavia-aa-db-manage'),
                    '--config-file', conf, 'upgrade', 'head'], check=True,
                   capture_output=True)
    server = subprocess.Popen([os.path.join(BIN, 'octavia-aa-api'),
                               '--config-file', conf],
                              stdout=subprocess.DEVNULL,
                              stderr=open(os.path.join(state, 'api.log'),
                                          'w'))
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 0.2).close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.05)
        proc = psutil.Process(server.pid)
        ids = []

        def create(i):
            return 'POST', '/v2.0/lbaas/loadbalancers', json.dumps(
                {'loadbalancer': {'name': 'lb%d' % i,
                                  'vip_subnet_id': 'bench-subnet'}})
        # Warm both workers up.
        run_clients(port, 4, 2, lambda i: ('GET', '/', None))
        cpu0 = cpu_seconds(proc)
        wall = run_clients(port, args.creates, args.clients, create)
        create_cpu_ms = (cpu_seconds(proc) - cpu0) * 1000 / args.creates
        create_rate = args.creates / wall

        conn = http.client.HTTPConnection('127.0.0.1', port)
        conn.request('GET', '/v2.0/lbaas/loadbalancers?fields=id')
        ids = [lb['id'] for lb in json.loads(conn.getresponse().read())[
            'loadbalancers']]
        cpu0 = cpu_seconds(proc)
        wall = run_clients(port, args.shows, args.clients, lambda i: (
            'GET', '/v2.0/lbaas/loadbalancers/%s' % ids[i % len(ids)],
            None))
        show_cpu_ms = (cpu_seconds(proc) - cpu0) * 1000 / args.shows
        show_rate = args.shows / wall

        times = []
        conn = http.client.HTTPConnection('127.0.0.1', port)
        for _ in range(args.lists):
            t = time.monotonic()
            conn.request('GET', '/v2.0/lbaas/loadbalancers')
            body = conn.getresponse().read()
            times.append((time.monotonic() - t) * 1000)
        count = len(json.loads(body)['loadbalancers'])
        times.sort()
        list_ms = times[len(times) // 2]
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(30)
    result = {
        'load_balancers': count,
        'create_cpu_ms': round(create_cpu_ms, 2),
        'create_per_s': round(create_rate, 1),
        'show_cpu_ms': round(show_cpu_ms, 2),
        'show_per_s': round(show_rate, 1),
        'list_all_ms_p50': round(list_ms, 1),
    }
    result['speedup_vs_upstream'] = {
        'create_cpu': round(UPSTREAM['create_cpu_ms'] / create_cpu_ms, 1),
        'create_rate': round(create_rate / UPSTREAM['create_per_s'], 1),
        'show_rate': round(show_rate / UPSTREAM['show_per_s'], 1),
        'list500': round(UPSTREAM['list500_ms'] / list_ms, 1)
        if count >= 500 else None,
    }
    print(json.dumps(result))


if __name__ == '__main__':
    main()
