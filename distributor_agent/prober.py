"""Probes every registered amphora with a TCP connect, all in parallel.

A refused connection counts at once; a silent one counts when the probe
timeout expires.  The agent fails an amphora after ``fall`` misses in a
row and moves its slots immediately; success never moves them back (the
controller decides, see DESIGN.md).
"""
import errno
import logging
import selectors
import socket
import threading
import time

LOG = logging.getLogger(__name__)


def probe_all(targets, timeout):
    """targets: [(key, ip, port)] -> {key: ok}."""
    sel = selectors.DefaultSelector()
    results = {}
    socks = []
    try:
        for key, ip, port in targets:
            family = socket.AF_INET6 if ':' in ip else socket.AF_INET
            s = socket.socket(family, socket.SOCK_STREAM)
            s.setblocking(False)
            socks.append(s)
            rc = s.connect_ex((ip, port))
            if rc == 0:
                results[key] = True
            elif rc in (errno.EINPROGRESS, errno.EAGAIN):
                sel.register(s, selectors.EVENT_WRITE, key)
            else:
                results[key] = False
        deadline = time.monotonic() + timeout
        while sel.get_map():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            for sk, _ in sel.select(left):
                err = sk.fileobj.getsockopt(socket.SOL_SOCKET,
                                            socket.SO_ERROR)
                results[sk.data] = err == 0
                sel.unregister(sk.fileobj)
        for sk in list(sel.get_map().values()):
            results[sk.data] = False
    finally:
        sel.close()
        for s in socks:
            # RST instead of FIN: no TIME_WAIT pile-up at 10 probes/s.
            try:
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER,
                             b'\x01\x00\x00\x00\x00\x00\x00\x00')
            except OSError:
                pass
            s.close()
    return results


class Prober(threading.Thread):

    def __init__(self, agent, interval, timeout):
        super().__init__(name='prober', daemon=True)
        self.agent = agent
        self.interval = interval
        self.timeout = min(timeout, interval)
        self.stopped = threading.Event()
        self.rounds = 0

    def run(self):
        while not self.stopped.is_set():
            start = time.monotonic()
            suspect = False
            try:
                targets = self.agent.probe_targets()
                if targets:
                    got = probe_all([((lb, amp), ip, port)
                                     for lb, amp, ip, port in targets],
                                    self.timeout)
                    suspect = self.agent.probe_results(
                        [(k[0], k[1], ok) for k, ok in got.items()])
                self.rounds += 1
            except Exception:
                LOG.exception('probe round failed')
            # After a miss, confirm 4x faster: a refused connect is quick
            # to re-test, and every saved round is traffic not lost.
            interval = self.interval / 4 if suspect else self.interval
            self.stopped.wait(max(0.0, interval -
                                  (time.monotonic() - start)))

    def stop(self):
        self.stopped.set()
