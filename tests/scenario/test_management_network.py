"""The management network survives a port joining it.

A Linux bridge without a MAC address of its own takes the lowest MAC of
its ports, and changes it when a port with a lower MAC joins or that
port leaves.  The management bridge carries the controller's address
(the heartbeat destination): if its MAC changes, every agent keeps
sending heartbeats to the old MAC from its ARP cache until the entry is
re-validated, the health manager hears nobody for seconds and declares
amphorae and distributors dead at once.  Every amphora build and delete
plugs or unplugs a management port, so this happens at random (a
victim's port with the lowest MAC, a new port with a lower one); here
a port of the test's own with MAC 02:00:00:00:00:01 makes it certain.
"""
import os
import subprocess
import time

import pytest

from tests.scenario import deployment as D
from tests.scenario import steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]
LOW_MAC = '02:00:00:00:00:01'


def mac(ifname):
    with open('/sys/class/net/%s/address' % ifname) as f:
        return f.read().strip()


def test_port_joining_management_bridge_fails_nothing_over(dep):
    lb = steps.create_lb(dep)
    steps.wait_lb(dep, lb['id'], check=steps.cluster_is(3), timeout=90)
    bridge = dep.management_bridge()
    before_mac = mac(bridge)
    amps = sorted(a['id'] for a in steps.live(dep.amphorae(lb['id'])))
    dists = sorted((d['id'], d['status']) for d in dep.distributors())
    host, peer = dep.prefix + 'tmac', dep.prefix + 'tmaq'
    dep.own_links += [host, peer]
    D.sh('ip', 'link', 'add', host, 'address', LOW_MAC, 'type', 'veth',
         'peer', 'name', peer)
    D.sh('ip', 'link', 'set', host, 'master', bridge, 'up')
    seen = []
    deadline = time.monotonic() + dep.heartbeat_timeout * 2 + 3
    while time.monotonic() < deadline:
        got = dep.load_balancer(lb['id'])
        seen.append((got['provisioning_status'], got['operating_status']))
        time.sleep(0.5)
    after_mac = mac(bridge)
    stale = subprocess.run(
        ['grep', '-h', 'stopped sending heartbeats',
         os.path.join(dep.tmp, 'all.log')],
        capture_output=True, text=True).stdout
    assert after_mac == before_mac, (
        'the management bridge changed its MAC from %s to %s when a port '
        'joined' % (before_mac, after_mac))
    assert not stale, stale
    assert set(seen) == {('ACTIVE', 'ONLINE')}, seen
    assert sorted(a['id'] for a in steps.live(
        dep.amphorae(lb['id']))) == amps
    assert sorted((d['id'], d['status'])
                  for d in dep.distributors()) == dists
