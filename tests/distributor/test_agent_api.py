"""The agent's REST API over real mTLS, on a real gunicorn, in a netns."""
import difflib
import os
import re
import signal
import ssl
import types

from cryptography import x509
from oslo_config import cfg
import pytest
import requests

from octavia_aa.certificates import local as certs
from octavia_aa.certificates import tls
from octavia_aa.distributor.drivers import rest
from octavia_aa.distributor.drivers import rest_opts as client_config
from tests.distributor import lab as lab_mod


def _driver(pki):
    conf = cfg.ConfigOpts()
    client_config.register_opts(conf)
    conf([], project='test')
    conf.set_override('client_cert', pki.client, client_config.GROUP)
    conf.set_override('server_ca', pki.server_ca, client_config.GROUP)
    conf.set_override('connection_max_retries', 0, client_config.GROUP)
    return rest.RestDistributorDriver(conf)


def test_mtls_refuses_clients_without_a_good_certificate(lab, pki, bed):
    agent = bed.agent
    bare = requests.Session()
    bare.trust_env = False
    bare.verify = pki.server_ca
    with pytest.raises(requests.exceptions.SSLError):
        agent.call('GET', '/v1/info', session=bare)
    # A client certificate from another (self-made) CA.
    other = lab_mod.Pki(os.path.join(lab.tmp, 'other'))
    rogue = tls.pinned_session(agent.id, other.client, pki.server_ca)
    with pytest.raises(requests.exceptions.SSLError):
        agent.call('GET', '/v1/info', session=rogue)
    # Server side: TLS older than 1.2 is not offered.
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    ctx.load_verify_locations(pki.server_ca)
    ctx.load_cert_chain(pki.client)
    ctx.check_hostname = False
    ctx.maximum_version = ssl.TLSVersion.TLSv1_1
    ctx.set_ciphers('ALL:@SECLEVEL=0')
    import socket
    with lab_mod.netns(bed.ctl):
        sock = socket.create_connection((agent.ip, 9443), timeout=5)
    with pytest.raises(ssl.SSLError):
        ctx.wrap_socket(sock).do_handshake()
    sock.close()
    assert agent.ok('GET', '/v1/info')['id'] == agent.id


def test_controller_refuses_an_agent_with_the_wrong_name(lab, pki, bed):
    driver = _driver(pki)
    good = types.SimpleNamespace(id=bed.agent.id, lb_network_ip=bed.agent.ip)
    wrong = types.SimpleNamespace(id='5f0c4d4e-0000-4000-8000-000000000000',
                                  lb_network_ip=bed.agent.ip)
    with lab_mod.netns(bed.ctl):
        assert driver.get_info(good)['id'] == bed.agent.id
        with pytest.raises(requests.exceptions.SSLError):
            driver.get_info(wrong)


def test_errors_are_json_with_the_field_named(bed):
    a = bed.agent
    r = a.call('PUT', '/v1/loadbalancers/nope/amphorae', {'amphorae': []})
    assert r.status_code == 404 and 'nope' in r.json()['message']
    r = a.call('GET', '/v1/loadbalancers/nope')
    assert r.status_code == 404
    r = a.call('DELETE', '/v1/loadbalancers/nope/vip')
    assert r.status_code == 404
    cases = [
        ({'vip_address': 'x'}, 'vip_address'),
        ({}, 'vip_address'),
        ({'vip_address': '198.51.100.10', 'affinity': 'COOKIE'}, 'affinity'),
        ({'vip_address': '198.51.100.10', 'mac_address': 'zz'},
         'mac_address'),
        ({'vip_address': '198.51.100.10', 'probe_port': 0}, 'probe_port'),
        ({'vip_address': '198.51.100.10', 'bogus': 1}, 'bogus'),
        ({'vip_address': '198.51.100.10', 'interface': 'nosuch0'},
         'interface'),
    ]
    for body, field in cases:
        r = a.call('PUT', '/v1/loadbalancers/%s/vip' % bed.lb, body)
        assert r.status_code == 400, (body, r.text)
        assert r.json()['field'] == field
    r = a.call('PUT', '/v1/loadbalancers/x/vip', raw='{bad')
    assert r.status_code == 400 and r.json()['field'] == 'body'
    bed.plug()
    amp = {'id': 'a1', 'mac': '02:00:00:00:00:01', 'ip': '198.51.100.11'}
    for amps, field in [
            ([dict(amp, mac='nope')], 'amphorae[0].mac'),
            ([dict(amp, ip='300.1.1.1')], 'amphorae[0].ip'),
            ([dict(amp, role='leader')], 'amphorae[0].role'),
            ([dict(amp, position=-1)], 'amphorae[0].position'),
            ([{'mac': amp['mac'], 'ip': amp['ip']}], 'amphorae[0].id'),
            ([amp, dict(amp, mac='02:00:00:00:00:02')], 'amphorae[1].id')]:
        r = a.call('PUT', '/v1/loadbalancers/%s/amphorae' % bed.lb,
                   {'amphorae': amps})
        assert r.status_code == 400, r.text
        assert r.json()['field'] == field
    r = a.call('PUT', '/v1/loadbalancers/%s/amphorae' % bed.lb, ['x'])
    assert r.status_code == 400 and r.json()['field'] == 'body'
    r = a.call('POST', '/v1/loadbalancers/%s/amphorae/unregister' % bed.lb,
               {'amphora_ids': 'a1'})
    assert r.status_code == 400 and r.json()['field'] == 'amphora_ids'
    r = a.call('GET', '/v1/nowhere')
    assert r.status_code == 404 and r.json()['message']


def test_calls_are_idempotent_and_answer_the_full_positional_list(bed):
    first = bed.plug()
    assert bed.plug() == first
    one = bed.register(bed.amps)
    two = bed.register(bed.amps)
    assert one == two
    assert [a['position'] for a in one['amphorae']] == [0, 1, 2]
    assert sum(a['slots'] for a in one['amphorae']) == one['slots']
    # Replace amp2 by a standby at its position: no slot moves.
    standby = dict(id='standby-1', mac='02:00:00:00:00:99',
                   ip='198.51.100.99', role='ACTIVE', position=1)
    three = bed.register([standby])
    assert [a['id'] for a in three['amphorae']] == [
        bed.amps[0]['id'], 'standby-1', bed.amps[2]['id']]
    assert [a['slots'] for a in three['amphorae']] == [
        a['slots'] for a in one['amphorae']]
    gone = bed.agent.ok('POST', '/v1/loadbalancers/%s/amphorae/unregister'
                        % bed.lb, {'amphora_ids': ['standby-1', 'unknown']})
    again = bed.agent.ok('POST', '/v1/loadbalancers/%s/amphorae/unregister'
                         % bed.lb, {'amphora_ids': ['standby-1']})
    assert gone == again and len(gone['amphorae']) == 2
    # exclusive: the request is the full desired set.
    full = bed.register(bed.amps, exclusive=True)
    assert full['digest'] == one['digest']
    assert bed.agent.ok('DELETE', '/v1/loadbalancers/%s/vip' % bed.lb)
    assert bed.agent.call('DELETE', '/v1/loadbalancers/%s/vip'
                          % bed.lb).status_code == 404


def _ruleset(ns):
    return lab_mod.sh('nft', 'list', 'ruleset', ns=ns)


def test_restart_restores_state_and_identical_kernel_tables(lab, bed):
    bed.plug()
    bed.register(bed.amps)
    bed.agent.ok('PUT', '/v1/loadbalancers/%s/amphorae/%s/drain'
                 % (bed.lb, bed.amps[1]['id']))
    before = _ruleset(bed.dist_ns)
    status = bed.agent.ok('GET', '/v1/loadbalancers/%s' % bed.lb)
    # Crash: every agent process killed, and the kernel state lost too
    # (as after a reboot).
    for pid in bed.agent.worker_pids():
        os.kill(pid, signal.SIGKILL)
    bed.agent.proc.wait(10)
    lab_mod.sh('nft', 'flush', 'ruleset', ns=bed.dist_ns)
    lab_mod.sh('ip', 'addr', 'del', lab_mod.VIP + '/32', 'dev', 'eth0',
               ns=bed.dist_ns)
    bed.agent.start()
    assert _ruleset(bed.dist_ns) == before
    after = bed.agent.ok('GET', '/v1/loadbalancers/%s' % bed.lb)
    for k in ('digest', 'amphorae'):
        strip = [{x: y for x, y in a.items() if x != 'probes'}
                 for a in after['amphorae']]
        if k == 'amphorae':
            assert strip == [{x: y for x, y in a.items() if x != 'probes'}
                             for a in status['amphorae']]
        else:
            assert after[k] == status[k]
    assert lab_mod.VIP in lab_mod.sh('ip', 'addr', 'show', 'eth0',
                                     ns=bed.dist_ns)
    assert lab.fetch(bed.client) in ('amp1', 'amp3')
    # A second restart on an intact kernel changes nothing either, and
    # keeps the pinned flow of that request (only its expiry runs on).
    pinned = _ruleset(bed.dist_ns)
    assert '198.51.100.2 . ' in pinned
    bed.agent.stop()
    bed.agent.start()
    now = _no_expiry(_ruleset(bed.dist_ns))
    assert now == _no_expiry(pinned), '\n'.join(difflib.unified_diff(
        _no_expiry(pinned).splitlines(), now.splitlines(), lineterm=''))


def _no_expiry(text):
    # Statistics are not state: expiry timers run on, counters restart.
    text = re.sub(r' expires \S+', '', text)
    return re.sub(r'counter packets \d+ bytes \d+', 'counter', text)


def test_rest_driver_round_trip(lab, bed):
    pki = bed.agent.pki
    driver = _driver(pki)
    dist = types.SimpleNamespace(id=bed.agent.id, lb_network_ip=bed.agent.ip)
    amps = [{'id': a['id'], 'mac': a['mac'], 'ip': a['ip']}
            for a in bed.amps]
    with lab_mod.netns(bed.ctl):
        plugged = driver.plug_vip(dist, bed.lb, lab_mod.VIP,
                                  '198.51.100.0/24', '198.51.100.1',
                                  mac_address=bed.dist_macs['eth0'],
                                  affinity='SOURCE_IP_PORT')
        assert plugged['interface'] == 'eth0'
        reg = driver.register_amphorae(dist, bed.lb, amps)
        assert [a['position'] for a in reg['amphorae']] == [0, 1, 2]
        drained = driver.drain_amphora(dist, bed.lb, amps[0]['id'])
        assert drained['amphorae'][0]['state'] == 'DRAINING'
        assert drained['digest'] != reg['digest']
        back = driver.activate_amphora(dist, bed.lb, amps[0]['id'])
        assert back['digest'] == reg['digest']
        with pytest.raises(rest.NotFound):
            driver.drain_amphora(dist, bed.lb, 'no-such-amphora')
        with pytest.raises(rest.DistributorAgentError) as exc:
            driver.register_amphorae(dist, bed.lb, [{'id': 'x'}])
        assert exc.value.status == 400
        left = driver.unregister_amphorae(dist, bed.lb, [amps[2]['id']])
        assert len(left['amphorae']) == 2
        status = driver.get_status(dist)
        assert status['load_balancers'][0]['load_balancer_id'] == bed.lb
        assert driver.get_status(dist, bed.lb)['vip_address'] == lab_mod.VIP
        assert driver.unplug_vip(dist, bed.lb)['unplugged'] is True
        assert driver.unplug_vip(dist, bed.lb) is None


def _presented_serial(bed):
    """Serial of the certificate the agent presents on a new connection
    (from the controller's namespace)."""
    with lab_mod.netns(bed.ctl):
        pem = ssl.get_server_certificate((bed.agent.ip, 9443), timeout=10)
    return x509.load_pem_x509_certificate(pem.encode()).serial_number


def test_a_new_server_certificate_is_presented_without_restart(lab, bed):
    pki = bed.agent.pki
    driver = _driver(pki)
    dist = types.SimpleNamespace(id=bed.agent.id, lb_network_ip=bed.agent.ip)
    before = _presented_serial(bed)
    pids = bed.agent.worker_pids()
    pem = certs.agent_pem(pki.ca, bed.agent.id, [bed.agent.ip])
    with lab_mod.netns(bed.ctl):
        assert driver.update_server_cert(dist, pem) == {'replaced': True}
        with pytest.raises(rest.DistributorAgentError) as exc:
            driver.update_server_cert(dist, b'-----BEGIN nonsense')
        assert exc.value.status == 400
        # Still trusted (same CA, CN = the distributor id).
        assert driver.get_info(dist)['id'] == bed.agent.id
    after = _presented_serial(bed)
    assert after != before
    assert after == x509.load_pem_x509_certificate(pem).serial_number
    assert bed.agent.worker_pids() == pids       # nothing restarted
