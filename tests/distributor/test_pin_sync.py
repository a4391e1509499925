"""Pinned flows follow the VIP to the VRRP peer (issue 10, item 5).

After a scale-up the slots of the new amphora moved, so the flows that
were established on the old owners are held there only by their pins.
The BACKUP sees no traffic and so makes no pins of its own: unless the
MASTER's pins reach it, its hash sends those flows to the new amphora
after a takeover, which answers them with a reset.
"""
import json
import os
import signal

from tests.distributor import conftest
from tests.distributor import lab as lab_mod

KEY = 'pin-sync-test-key'


def pins(ns):
    """{(key, ...): mac} of every flows_ map in the namespace."""
    out = json.loads(lab_mod.sh('nft', '-j', 'list', 'ruleset', ns=ns))
    found = {}
    for obj in out['nftables']:
        m = obj.get('map')
        if not m or not m['name'].startswith('flows_'):
            continue
        for key, mac in m.get('elem', []):
            if isinstance(key, dict) and 'elem' in key:
                key = key['elem']['val']
            if isinstance(key, dict) and 'concat' in key:
                key = tuple(key['concat'])
            found[key] = mac
    return found


def _pair_with_connections(lab, pki):
    """A VRRP pair serving 2 amphorae and 30 open connections, each with
    the amphora that answered it."""
    conftest._require('keepalived')
    pair = conftest.Pair(lab, pki, extra={
        'distributor_health': {'heartbeat_key': KEY}})
    pair.start(amphorae=pair.amps[:2])
    conns = []
    for _ in range(30):
        conn = lab.connect(pair.client, timeout=5)
        conns.append((conn, lab.get(conn)))
    return pair, conns


def test_flows_held_by_pins_survive_a_master_kill(lab, pki):
    pair, conns = _pair_with_connections(lab, pki)
    assert {name for _, name in conns} == {'amp1', 'amp2'}
    # Scale up on both, as the controller does: amp3 takes about a third
    # of the slots, and the flows on them stay where they are by pins.
    for agent in (pair.agent, pair.agent2):
        pair.register(pair.amps, agent=agent)
    for conn, name in conns:
        assert lab.get(conn) == name
    master = lab_mod.wait_for(lambda: len(pins(pair.dist_ns)) >= 30 and
                              pins(pair.dist_ns), what='pins on d1')
    # The peer holds the master's pins (and maybe more of its own).
    lab_mod.wait_for(lambda: master.items() <= pins(pair.d2_ns).items(),
                     timeout=10, what='d1 pins on d2')
    # The master node dies: every process in it, and its link.
    for pid in lab.pids(pair.dist_ns):
        os.kill(pid, signal.SIGKILL)
    lab_mod.sh('ip', 'link', 'set', 'eth0', 'down', ns=pair.dist_ns)
    lab_mod.wait_for(lambda: pair.vrrp_state(pair.agent2) == 'MASTER',
                     timeout=10, what='d2 master')
    errors = []
    for conn, name in conns:
        try:
            got = lab.get(conn)
            if got != name:
                errors.append('%s moved to %s' % (name, got))
        except Exception as exc:
            errors.append('%s: %r' % (name, exc))
        conn.close()
    assert errors == []
    # The scale-up itself took effect: new flows reach amp3 too.
    seen = {lab.fetch(pair.client) for _ in range(30)}
    assert 'amp3' in seen


def test_a_restarted_backup_asks_for_the_pins(lab, pki):
    pair, conns = _pair_with_connections(lab, pki)
    for agent in (pair.agent, pair.agent2):
        pair.register(pair.amps, agent=agent)
    master = lab_mod.wait_for(lambda: len(pins(pair.dist_ns)) >= 30 and
                              pins(pair.dist_ns), what='pins on d1')
    lab_mod.wait_for(lambda: master.items() <= pins(pair.d2_ns).items(),
                     timeout=10, what='d1 pins on d2')
    # d2 comes back as a blank machine would: no tables, nothing pinned.
    pair.agent2.stop()
    lab_mod.sh('nft', 'delete', 'table', 'netdev', 'oaa_eth0',
               ns=pair.d2_ns)
    pair.agent2.start()
    lab_mod.wait_for(lambda: pair.vrrp_state(pair.agent2) == 'BACKUP',
                     what='d2 backup again')
    # Nothing changed on d1: d2 got them by asking.
    lab_mod.wait_for(lambda: master.items() <= pins(pair.d2_ns).items(),
                     timeout=10, what='d1 pins on the restarted d2')
    for conn, name in conns:
        conn.close()
