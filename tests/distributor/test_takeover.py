"""Every death seen within a second (issue 10, item 6), agent side: the
peer reports a takeover at once, and the prober works with the
controller's settings."""
import os
import signal
import types

from octavia_aa.common import heartbeat
from octavia_aa.distributor import probe_opts
from tests.distributor import conftest
from tests.distributor import lab as lab_mod
from tests.distributor.test_agent_api import _driver

KEY = 'takeover-test-key'


def test_the_peer_reports_its_takeover_at_once(lab, pki):
    conftest._require('keepalived')
    # One periodic heartbeat a minute: only the one sent on the VRRP
    # transition can arrive within the test.
    pair = conftest.Pair(lab, pki, extra={'distributor_health': {
        'controller_ip_port_list': '192.0.2.1:5555', 'heartbeat_key': KEY,
        'heartbeat_interval': '60'}})
    with lab_mod.netns(pair.ctl):
        receiver = heartbeat.HeartbeatReceiver(KEY, '192.0.2.1', 5555)
    try:
        pair.start()
        got = receiver.receive(timeout=0.5)
        while got:
            got = receiver.receive(timeout=0.5)
        for pid in lab.pids(pair.dist_ns):
            os.kill(pid, signal.SIGKILL)
        lab_mod.sh('ip', 'link', 'set', 'eth0', 'down', ns=pair.dist_ns)
        report = None
        for _ in range(50):
            got = receiver.receive(timeout=0.2)
            if got and got[0]['id'] == pair.agent2.id and \
                    got[0]['vrrp'] == 'MASTER':
                report = got[0]
                break
        assert report is not None, 'no takeover report from d2'
        # How long it has been MASTER: the controller dates the takeover
        # with it (and fails a peer not heard from since).
        assert isinstance(report['vrrp_age'], float)
        assert 0 <= report['vrrp_age'] < 60
    finally:
        receiver.close()


def test_prober_settings_from_the_controller_reach_the_agent(lab, pki, bed):
    driver = _driver(pki)
    group = probe_opts.GROUP
    driver.conf.set_override('interval', 0.07, group)
    driver.conf.set_override('timeout', 0.03, group)
    driver.conf.set_override('fall', 4, group)
    dist = types.SimpleNamespace(id=bed.agent.id, lb_network_ip=bed.agent.ip)
    with lab_mod.netns(bed.ctl):
        driver.plug_vip(dist, bed.lb, lab_mod.VIP, '198.51.100.0/24', None,
                        mac_address=bed.dist_macs['eth0'])
    wanted = {'interval': 0.07, 'timeout': 0.03, 'fall': 4}
    assert bed.agent.ok('GET', '/v1/details')['prober'] == wanted
    # A restarted agent keeps them until the next plug.
    bed.agent.stop()
    bed.agent.start()
    assert bed.agent.ok('GET', '/v1/details')['prober'] == wanted
    for bad in ({'interval': 0.1}, {'interval': 0, 'timeout': 1, 'fall': 1},
                {'interval': 1, 'timeout': 1, 'fall': 0},
                {'interval': 1, 'timeout': 1, 'fall': 1, 'x': 1}):
        r = bed.agent.call('PUT', '/v1/loadbalancers/%s/vip' % bed.lb, {
            'vip_address': lab_mod.VIP, 'prober': bad})
        assert r.status_code == 400, (bad, r.text)
