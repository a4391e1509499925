"""UDP flows for the scenario tests: one socket (one 5-tuple) per
source address, a datagram on each every interval; prints one JSON
object {source: [[t, answer], ...]} at the end, answer being the
member's "NAME AMPHORA-ADDRESS" or "lost" (no answer within timeout).

    udp_load.py VIP PORT DURATION INTERVAL TIMEOUT SOURCE...
"""
import json
import selectors
import socket
import sys
import time


def main():
    vip, port = sys.argv[1], int(sys.argv[2])
    duration, interval, timeout = (float(x) for x in sys.argv[3:6])
    sel = selectors.DefaultSelector()
    socks = {}
    for src in sys.argv[6:]:
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.bind((src, 0))
        s.setblocking(False)
        sel.register(s, selectors.EVENT_READ, src)
        socks[src] = s
    out = {src: [] for src in socks}
    print('ready', flush=True)
    end = time.time() + duration
    while time.time() < end:
        t = time.time()
        for s in socks.values():
            try:
                s.sendto(b'hi', (vip, port))
            except OSError:
                pass
        waiting = set(socks)
        deadline = time.monotonic() + timeout
        while waiting and time.monotonic() < deadline:
            for key, _ in sel.select(max(0, deadline - time.monotonic())):
                try:
                    data = key.fileobj.recv(2048).decode()
                except OSError:
                    continue
                if key.data in waiting:
                    out[key.data].append([round(t, 3), data])
                    waiting.discard(key.data)
        for src in waiting:
            out[src].append([round(t, 3), 'lost'])
        time.sleep(max(0, interval - (time.time() - t)))
    print(json.dumps(out), flush=True)


if __name__ == '__main__':
    main()
