"""Keep-alive HTTP load from inside the client namespace.

    ip netns exec NS python load.py CONFIG_JSON

CONFIG_JSON keys: vip, port (80), sources (source addresses, one worker
thread per address and per ``per_source``), interval (seconds between two
requests of a worker), timeout (seconds per request), stopfile (run until
it exists), readyfile (created once every worker got one answer),
requests (instead of a stopfile: this many requests in all, then exit).

Each worker keeps one persistent HTTP/1.1 connection from its source
address.  The member servers answer {"member", "peer"}: ``peer`` is the
amphora's member address, so each connection record says which amphora
served it.  Like browsers and HTTP libraries (RFC 9112 section 9.3.1), a
request that finds its reused connection closed before any byte of the
answer is retried once on a new connection: that is recorded in
``retried`` of the old connection, not as a failure.  Anything else that
gets no 200 (refused, timed out, reset on a fresh connection, bad
status) is a failure of the connection it was sent on.  Times are
time.time().  Prints one JSON object: {"started", "ended",
"connections": [{"worker", "src", "seq", "amp", "amps", "member",
"members": {name: answers}, "ok", "first", "last", "failures": [[t,
error]], "retried": [[t, error]], "gaps": [[t, seconds]]}]}: a gap is
a pause longer than interval + 0.3 s between two answers of one
worker, charged to the connection that ended it.
"""
import http.client
import json
import os
import sys
import threading
import time

RETRYABLE = (http.client.RemoteDisconnected, ConnectionResetError,
             BrokenPipeError)


class Run:

    def __init__(self, cfg):
        self.cfg = cfg
        self.lock = threading.Lock()
        self.records = []
        self.ready = set()
        self.workers = len(cfg['sources']) * cfg.get('per_source', 1)
        self.tickets = cfg.get('requests')

    def stopped(self):
        stopfile = self.cfg.get('stopfile')
        return bool(stopfile) and os.path.exists(stopfile)

    def ticket(self):
        if self.tickets is None:
            return not self.stopped()
        with self.lock:
            if self.tickets <= 0:
                return False
            self.tickets -= 1
            return True

    def new_record(self, worker, src, seq):
        rec = {'worker': worker, 'src': src, 'seq': seq, 'amp': None,
               'member': None, 'ok': 0, 'first': None, 'last': None,
               'failures': [], 'retried': [], 'amps': [],
               'gaps': [], 'members': {}}
        with self.lock:
            self.records.append(rec)
        return rec

    def mark_ready(self, worker):
        readyfile = self.cfg.get('readyfile')
        with self.lock:
            if worker in self.ready:
                return
            self.ready.add(worker)
            done = len(self.ready) == self.workers
        if done and readyfile:
            open(readyfile, 'a').close()

    def worker(self, worker, src):
        cfg = self.cfg
        vip, port = cfg['vip'], cfg.get('port', 80)
        path = cfg.get('path', '/')
        interval = cfg.get('interval', 0.05)
        timeout = cfg.get('timeout', 2.0)
        gap_min = cfg.get('gap', interval + 0.3)
        seq = 0
        prev_ok = None
        conn = rec = None
        while self.ticket():
            for attempt in (1, 2):
                fresh = conn is None
                if fresh:
                    seq += 1
                    rec = self.new_record(worker, src, seq)
                    conn = http.client.HTTPConnection(
                        vip, port, timeout=timeout, source_address=(src, 0))
                try:
                    conn.request('GET', path)
                    resp = conn.getresponse()
                    data = resp.read()
                    now = time.time()
                    if resp.status != 200:
                        rec['failures'].append([now, 'status %d'
                                                % resp.status])
                    else:
                        answer = json.loads(data)
                        if answer['peer'] not in rec['amps']:
                            rec['amps'].append(answer['peer'])
                        rec['amp'] = rec['amp'] or answer['peer']
                        rec['member'] = answer['member']
                        rec['members'][answer['member']] = \
                            rec['members'].get(answer['member'], 0) + 1
                        rec['ok'] += 1
                        rec['first'] = rec['first'] or now
                        rec['last'] = now
                        if prev_ok and now - prev_ok > gap_min:
                            rec['gaps'].append([prev_ok, now - prev_ok])
                        prev_ok = now
                        self.mark_ready(worker)
                    if resp.will_close:
                        conn.close()
                        conn = None
                    break
                except RETRYABLE as exc:
                    conn.close()
                    conn = None
                    if fresh or attempt == 2:
                        rec['failures'].append([time.time(), repr(exc)])
                        break
                    rec['retried'].append([time.time(), repr(exc)])
                except Exception as exc:   # refused, timeout, bad answer
                    conn.close()
                    conn = None
                    rec['failures'].append([time.time(), repr(exc)])
                    break
            if interval:
                time.sleep(interval)
        if conn is not None:
            conn.close()


def main():
    cfg = json.loads(sys.argv[1])
    run = Run(cfg)
    started = time.time()
    threads = []
    for src in cfg['sources']:
        for _ in range(cfg.get('per_source', 1)):
            t = threading.Thread(target=run.worker,
                                 args=(len(threads), src), daemon=True)
            threads.append(t)
            t.start()
    for t in threads:
        t.join()
    print(json.dumps({'started': started, 'ended': time.time(),
                      'connections': run.records}))


if __name__ == '__main__':
    main()
