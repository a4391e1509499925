"""Heartbeat sender thread: periodic, and at once after any change."""
import logging
import threading

from octavia_aa.common import heartbeat

LOG = logging.getLogger(__name__)


class HeartbeatThread(threading.Thread):

    def __init__(self, agent, key, destinations, interval):
        super().__init__(name='heartbeat', daemon=True)
        self.agent = agent
        self.sender = heartbeat.HeartbeatSender(key, destinations)
        self.interval = interval
        self.wake = threading.Event()
        self.stopped = threading.Event()

    def trigger(self):
        """Send now (a failed amphora must reach the controller fast)."""
        self.wake.set()

    def run(self):
        while not self.stopped.is_set():
            try:
                # The sender stamps boot, seq and time (replays).
                self.sender.send(self.agent.heartbeat_payload())
            except Exception:
                LOG.exception('heartbeat failed')
            self.wake.wait(self.interval)
            self.wake.clear()
        self.sender.close()

    def stop(self):
        self.stopped.set()
        self.wake.set()
