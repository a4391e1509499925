"""Connections held open at the same time, from inside the client
namespace:

    ip netns exec NS python hold.py CONFIG_JSON

CONFIG_JSON keys: vip, port, sources (source addresses), per_source
(connections from each), wait (seconds to wait for the answers).  Every
connection sends one keep-alive GET; all stay open while the answers are
awaited, so an amphora at its maxconn leaves the extra ones unanswered
(HAProxy stops accepting, the kernel's backlog holds them).  Prints
{"opened", "served", "peers": {amphora member address: answers}}.
"""
import json
import select
import socket
import sys
import time


def main():
    cfg = json.loads(sys.argv[1])
    socks = []
    for src in cfg['sources']:
        for _ in range(cfg.get('per_source', 1)):
            s = socket.socket()
            s.bind((src, 0))
            s.settimeout(3)
            s.connect((cfg['vip'], cfg.get('port', 80)))
            s.sendall(b'GET / HTTP/1.1\r\nHost: vip\r\n\r\n')
            s.setblocking(False)
            socks.append(s)
    data = {s: b'' for s in socks}
    deadline = time.monotonic() + cfg.get('wait', 3.0)
    while time.monotonic() < deadline:
        waiting = [s for s in socks if b'\r\n\r\n' not in data[s] or
                   not _complete(data[s])]
        if not waiting:
            break
        ready, _, _ = select.select(waiting, [], [], 0.1)
        for s in ready:
            try:
                chunk = s.recv(65536)
            except OSError:
                chunk = b''
            if not chunk:
                socks.remove(s)
            data[s] += chunk
    peers = {}
    served = 0
    for s, raw in data.items():
        if _complete(raw):
            served += 1
            peer = json.loads(raw.split(b'\r\n\r\n', 1)[1])['peer']
            peers[peer] = peers.get(peer, 0) + 1
    for s in data:
        s.close()
    print(json.dumps({'opened': len(data), 'served': served,
                      'peers': peers}))


def _complete(raw):
    head, sep, body = raw.partition(b'\r\n\r\n')
    if not sep:
        return False
    for line in head.split(b'\r\n'):
        if line.lower().startswith(b'content-length:'):
            return len(body) >= int(line.split(b':')[1])
    return False


if __name__ == '__main__':
    main()
