"""The amphora agent for real: netns machine built by our drivers, mTLS,
VIP with ARP off, HAProxy configuration pushes and reloads, heartbeats."""
import json
import os
import subprocess
import sys
import threading

import pytest
import requests

from octavia_aa.amphorae.drivers import rest
from octavia_aa.certificates import local as certs
from octavia_aa.certificates import tls
from octavia_aa.common import heartbeat
from tests.amphora import bed as bedmod
from tests.amphora import samples
from tests.amphora import tlsutil

HERE = os.path.dirname(os.path.abspath(__file__))


def lb_config(bed, weight=1, listener_port=80):
    members = [samples.member(i + 1, ip, weight=weight)
               for i, ip in enumerate(bedmod.MEMBER_IPS)]
    cfg = samples.config(
        [samples.listener(1, pool=samples.P1, port=listener_port)],
        [samples.pool(1, members=members, hm=samples.monitor('HTTP'))])
    cfg['load_balancer']['id'] = bed.amp.load_balancer_id
    return cfg


def curl(bed, path='/', host=bedmod.VIP, port=80):
    r = bedmod.sh('curl', '-s', '-m', '5', '-D', '-', 'http://%s:%d%s'
                  % (host, port, path), ns=bed.client_ns, check=False)
    return r.stdout if r.returncode == 0 else None


def curl_https(bed, ca_path, name='www'):
    """The body served over TLS on the VIP for `name`, verified with the
    CA in ca_path."""
    return bedmod.sh('curl', '-s', '-m', '5', '--cacert', str(ca_path),
                     '--resolve', '%s:443:%s' % (name, bedmod.VIP),
                     'https://%s/' % name, ns=bed.client_ns).stdout.strip()


def to_amphora(bed):
    """Send VIP traffic to the amphora's MAC, as a distributor would."""
    bedmod.sh('ip', 'neigh', 'replace', bedmod.VIP, 'lladdr',
              bed.amp.frontend_mac, 'dev', bed.client_port['interface'],
              'nud', 'permanent', ns=bed.client_ns)


@pytest.fixture(scope='module')
def pushed(bed):
    bed.amp_driver.update_config(bed.amp, lb_config(bed))
    to_amphora(bed)
    bedmod.wait_for(lambda: curl(bed), what='VIP served')
    return bed


def test_agent_refuses_a_client_without_certificate(bed):
    url = 'https://%s:9443/v1/info' % bed.amp.lb_network_ip
    session = requests.Session()
    session.trust_env = False
    # The agent is trusted and named right, but we present no certificate.
    session.mount('https://', tls.NamePinningAdapter(bed.amp.id))
    with pytest.raises(requests.exceptions.RequestException):
        session.get(url, verify=os.path.join(bed.ca_dir, 'server_ca.pem'),
                    timeout=10)
    # A client certificate from another CA is refused as well.
    other = os.path.join(bed.tmp, 'other-ca')
    certs.init_cas(other)
    stranger = os.path.join(bed.tmp, 'stranger.pem')
    certs.issue_controller(other, stranger)
    session.cert = stranger
    with pytest.raises(requests.exceptions.RequestException):
        session.get(url, verify=os.path.join(bed.ca_dir, 'server_ca.pem'),
                    timeout=10)
    # With our client certificate it answers...
    info = bed.amp_driver.get_info(bed.amp)
    assert info['id'] == bed.amp.id
    details = bed.amp_driver._call('GET', bed.amp, 'details')
    assert '%s/32' % bedmod.VIP in details['interfaces']['lo']['addresses']
    front = [i for i in details['interfaces'].values()
             if i['mac'] == bed.amp.frontend_mac]
    assert front and front[0]['mtu'] == 1450
    # ...but the controller refuses an agent not named after the amphora.
    wrong = tls.pinned_session('00000000-0000-4000-8000-000000000000',
                               bed.client_pem,
                               os.path.join(bed.ca_dir, 'server_ca.pem'))
    with pytest.raises(requests.exceptions.SSLError):
        wrong.get(url, timeout=10)


def test_vip_gets_no_arp_answer_but_is_served(pushed):
    bed = pushed
    iface = bed.client_port['interface']
    # The amphora's own front-end address answers ARP (sanity check)...
    own = bedmod.sh('arping', '-c', '2', '-w', '3', '-I', iface,
                    bed.amp.vrrp_ip, ns=bed.client_ns, check=False)
    assert own.returncode == 0, own.stdout
    # ...the VIP does not.
    vip = bedmod.sh('arping', '-c', '3', '-w', '3', '-I', iface, bedmod.VIP,
                    ns=bed.client_ns, check=False)
    assert vip.returncode != 0, vip.stdout
    # The amphora never uses the VIP as the sender of its own ARP.
    amp_ns = bed.compute._namespace(bed.amp.compute_id)
    dump = bed.spawn(bed.client_ns, ['tcpdump', '-l', '-n', '-i', iface,
                                     'arp'], stdout=subprocess.PIPE,
                     stderr=subprocess.PIPE, text=True)
    guard = threading.Timer(60, dump.kill)    # never hang the suite
    guard.start()
    lines = []
    try:
        while 'listening on' not in dump.stderr.readline():
            assert dump.poll() is None, 'tcpdump failed'
        bedmod.sh('ip', 'neigh', 'flush', 'all', ns=amp_ns)
        answer = curl(bed)
        assert answer and 'x-member: member' in answer.lower()
        # A marker after the exchange: once tcpdump prints it, it has
        # printed everything before it.
        bedmod.sh('arping', '-c', '1', '-w', '2', '-I', iface,
                  bed.amp.vrrp_ip, ns=bed.client_ns, check=False)
        marker = 'who-has %s tell %s' % (bed.amp.vrrp_ip,
                                         bed.client_port['ip'])
        for line in dump.stdout:
            lines.append(line.strip())
            if marker in line:
                break
    finally:
        guard.cancel()
        dump.terminate()
        dump.communicate(timeout=10)
    requests_from_amp = [line for line in lines
                         if 'tell %s' % bed.amp.vrrp_ip in line]
    assert requests_from_amp, lines
    assert not [line for line in lines if 'tell %s,' % bedmod.VIP in line
                or line.endswith('tell %s' % bedmod.VIP)], lines


def test_two_members_answer_through_the_vip(pushed):
    seen = set()
    for _ in range(10):
        answer = curl(pushed)
        assert answer is not None
        seen.update(line.split(': ')[1].strip() for line in
                    answer.lower().splitlines() if line.startswith('x-member'))
    assert seen == {'member1', 'member2'}
    listeners = pushed.amp_driver._call('GET', pushed.amp, 'listeners')
    assert [lst['id'] for lst in listeners['listeners']] == [
        samples.listener(1)['id']]


def test_rejected_configuration_leaves_the_old_one_serving(pushed):
    bed = pushed
    lb = bed.amp.load_balancer_id
    before = bed.amp_driver._call('GET', bed.amp,
                                  'loadbalancers/%s/haproxy' % lb)
    with pytest.raises(rest.AmphoraAgentError) as err:
        bed.amp_driver._call('PUT', bed.amp, 'loadbalancers/%s/haproxy' % lb,
                             raw=before.encode() + b'\n    bogus-keyword 1\n')
    assert err.value.status == 400
    assert 'bogus-keyword' in err.value.body['haproxy_output']
    assert bed.amp_driver._call(
        'GET', bed.amp, 'loadbalancers/%s/haproxy' % lb) == before
    assert curl(bed) is not None


def test_reload_under_keepalive_load_fails_no_request(pushed, tmp_path):
    bed = pushed
    stop = tmp_path / 'stop'
    load = bed.spawn(bed.client_ns, [
        sys.executable, os.path.join(HERE, 'loadgen.py'), bedmod.VIP, '80',
        '4', str(stop)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True)
    try:
        bedmod.wait_for(lambda: os.path.exists(str(stop) + '.ready'),
                        what='load running')
        for weight in (2, 3, 1, 2, 1):
            bed.amp_driver.update_config(bed.amp, lb_config(bed, weight))
    finally:
        stop.touch()
        out, err = load.communicate(timeout=60)
    totals = json.loads(out.strip().splitlines()[-1])
    assert totals['ok'] > 0, err
    assert totals['failed'] == 0, err


def test_terminated_https_with_certificates_from_the_store(pushed):
    """A second load balancer on the amphora: TLS terminated with a
    certificate the driver uploads from the local store."""
    import pathlib
    import uuid
    bed = pushed
    store = pathlib.Path(bed.tmp) / 'store'
    tlsutil.write_server_pems(store, ['www'])
    cfg = lb_config(bed)
    cfg['load_balancer']['id'] = str(uuid.uuid4())
    cfg['listeners'] = [samples.listener(
        2, 'TERMINATED_HTTPS', 443, pool=samples.P1,
        default_tls_container_ref='www')]
    bed.amp_driver.update_config(bed.amp, cfg)
    try:
        assert curl_https(bed, store / 'ca.pem') in ('member1', 'member2')
    finally:
        bed.amp_driver.delete_config(bed.amp, cfg['load_balancer']['id'])
    assert curl(bed, port=80) is not None     # the first LB is untouched


def test_certificates_upload_and_delete(pushed):
    bed = pushed
    lb = bed.amp.load_balancer_id
    path = 'loadbalancers/%s/certificates/www.pem' % lb
    answer = bed.amp_driver._call('PUT', bed.amp, path,
                                  raw=b'-----BEGIN CERTIFICATE-----\nx\n')
    assert bed.amp_driver._call('GET', bed.amp, path) == answer
    bed.amp_driver._call('DELETE', bed.amp, path)
    with pytest.raises(rest.NotFound):
        bed.amp_driver._call('GET', bed.amp, path)


def test_heartbeats_arrive_signed_and_forgeries_are_dropped(
        pushed, heartbeat_socket):
    bed = pushed
    receiver = heartbeat.HeartbeatReceiver(bed.heartbeat_key,
                                           sock=heartbeat_socket)
    bed.amp_driver.update_agent_config(bed.amp, {
        'controller_ip_port_list': ['%s:%d' % (bed.mgmt_gw, bed.hb_port)],
        'heartbeat_interval': 0.2, 'heartbeat_key': bed.heartbeat_key})
    curl(bed)

    def one_with_stats():
        got = receiver.receive(timeout=1)
        if got and got[0].get('listeners'):
            return got[0]
    message = bedmod.wait_for(one_with_stats, what='heartbeat')
    assert message['id'] == bed.amp.id and message['ver'] == 3
    lid = samples.listener(1)['id']
    assert message['listeners'][lid]['status'] == 'OPEN'
    assert set(message['listeners'][lid]['stats']) == {
        'rx', 'tx', 'conns', 'totconns', 'ereq'}
    members = message['pools'][samples.P1]['members']
    assert set(members) == {samples.member(1, '')['id'],
                            samples.member(2, '')['id']}
    # A datagram signed with another key is counted and dropped.
    forged = heartbeat.encode(dict(message, seq=10**6), 'not-the-key')
    with bedmod.socket_in_root() as s:
        s.sendto(forged, ('127.0.0.1', bed.hb_port))
    bedmod.wait_for(lambda: receiver.receive(timeout=1) is None and
                    receiver.counters['forged'] >= 1, what='forged dropped')
    bed.amp_driver.update_agent_config(bed.amp,
                                       {'controller_ip_port_list': []})


def test_stop_and_start(pushed):
    bed = pushed
    path = 'loadbalancers/%s/' % bed.amp.load_balancer_id
    assert bed.amp_driver._call('PUT', bed.amp, path + 'stop')[
        'message'] == 'stopped'
    assert curl(bed) is None
    assert bed.amp_driver._call('GET', bed.amp, 'listeners') == {
        'listeners': []}
    assert bed.amp_driver._call('PUT', bed.amp, path + 'start')[
        'message'] == 'started'
    bedmod.wait_for(lambda: curl(bed), what='served again')


def test_supervisor_restarts_a_dead_agent(pushed):
    bed = pushed
    pid = bed.compute._agent_pid(bed.amp.compute_id)
    os.kill(pid, 9)
    bedmod.wait_for(lambda: bed.compute._agent_pid(bed.amp.compute_id)
                    not in (None, pid), what='agent restarted')
    assert bed.amp_driver.wait_for_agent(bed.amp)['id'] == bed.amp.id
    # HAProxy kept serving all along: it does not belong to the agent.
    assert curl(bed) is not None


# In the client namespace: one keep-alive connection, a request, then
# (once the flag file exists) a second one; JSON of what it saw.
KEEPALIVE = r'''
import json, os, socket, sys, time
vip, flag = sys.argv[1], sys.argv[2]
def ask(s):
    s.sendall(b'GET / HTTP/1.1\r\nHost: vip\r\n\r\n')
    data = b''
    while b'\r\n\r\n' not in data:
        data += s.recv(65536)
    head, body = data.split(b'\r\n\r\n', 1)
    length = int([l.split(b':')[1] for l in head.split(b'\r\n')
                  if l.lower().startswith(b'content-length')][0])
    while len(body) < length:
        body += s.recv(65536)
    return head.decode().lower()
s = socket.create_connection((vip, 80), timeout=5)
first = ask(s)
open(flag + '.ready', 'w').close()
while not os.path.exists(flag):
    time.sleep(0.02)
second = ask(s)
s.settimeout(2)
try:
    closed = s.recv(1) == b''
except socket.timeout:
    closed = False
print(json.dumps({'first': first, 'second': second, 'closed': closed}))
'''


def test_drain_closes_keepalive_connections_after_their_response(
        pushed, tmp_path):
    bed = pushed
    cfg = lb_config(bed)
    # As an ACTIVE_ACTIVE amphora is configured (a distributor probe).
    cfg['load_balancer']['topology'] = 'ACTIVE_ACTIVE'
    bed.amp_driver.update_config(bed.amp, cfg, peers=[])
    listener = samples.listener(1)['id']
    flag = str(tmp_path / 'go')
    client = bed.spawn(bed.client_ns, [sys.executable, '-c', KEEPALIVE,
                                       bedmod.VIP, flag],
                       stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       text=True)
    try:
        bedmod.wait_for(lambda: os.path.exists(flag + '.ready'),
                        what='first answer on the keep-alive connection')
        stats = bed.amp_driver.get_stats(bed.amp)
        assert stats[listener]['active_connections'] == 1, stats
        assert bed.amp_driver.drain(bed.amp)['message'] == 'draining'
        bed.amp_driver.drain(bed.amp)                       # idempotent
        open(flag, 'w').close()
        out, err = client.communicate(timeout=30)
    finally:
        if client.poll() is None:
            client.kill()
    seen = json.loads(out)
    assert 'connection: close' not in seen['first'], seen
    assert seen['second'].startswith('http/1.1 200'), seen
    assert 'connection: close' in seen['second'], seen
    assert seen['closed'], seen
    bedmod.wait_for(lambda: bed.amp_driver.get_stats(bed.amp)[listener][
        'active_connections'] == 0, what='no connection left')
    # Still listening: a connection the distributor pinned here is served.
    assert curl(bed) is not None
    # Back to an ordinary configuration for whatever runs next.
    bed.amp_driver.update_config(bed.amp, lb_config(bed))
