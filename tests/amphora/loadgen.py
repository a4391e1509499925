"""Keep-alive HTTP load for the reload test and the benchmark.

    loadgen.py HOST PORT CONNECTIONS STOPFILE [PATH]

Creates STOPFILE.ready once requests succeed, runs until STOPFILE
exists, then prints one JSON object.  Like browsers
and HTTP libraries (RFC 9112 section 9.3.1), a GET that finds its reused
keep-alive connection closed before any byte of the answer is retried
once on a new connection; ``retried`` counts those.  ``failed`` counts
requests that got no 200 even then.
"""
import http.client
import json
import os
import sys
import threading
import time


def worker(host, port, path, stopfile, totals, lock):
    ok = failed = retried = 0
    conn = None
    while not os.path.exists(stopfile):
        for attempt in (1, 2):
            fresh = conn is None
            if fresh:
                conn = http.client.HTTPConnection(host, port, timeout=10)
            try:
                conn.request('GET', path)
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    ok += 1
                    if ok == 1:     # tells the caller the load is on
                        open(stopfile + '.ready', 'a').close()
                else:
                    failed += 1
                if resp.will_close:
                    conn.close()
                    conn = None
                break
            except (http.client.RemoteDisconnected, ConnectionResetError,
                    BrokenPipeError) as exc:
                conn.close()
                conn = None
                if fresh or attempt == 2:
                    failed += 1
                    print('failed: %r' % exc, file=sys.stderr)
                    break
                retried += 1
            except OSError as exc:
                conn.close()
                conn = None
                failed += 1
                print('failed: %r' % exc, file=sys.stderr)
                time.sleep(0.01)
                break
    with lock:
        totals['ok'] += ok
        totals['failed'] += failed
        totals['retried'] += retried


def main():
    host, port, conns, stopfile = sys.argv[1], int(sys.argv[2]), \
        int(sys.argv[3]), sys.argv[4]
    path = sys.argv[5] if len(sys.argv) > 5 else '/'
    totals = {'ok': 0, 'failed': 0, 'retried': 0}
    lock = threading.Lock()
    start = time.monotonic()
    threads = [threading.Thread(target=worker, args=(
        host, port, path, stopfile, totals, lock)) for _ in range(conns)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    totals['seconds'] = round(time.monotonic() - start, 3)
    print(json.dumps(totals))


if __name__ == '__main__':
    main()
