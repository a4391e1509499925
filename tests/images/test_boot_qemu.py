"""Boot the octavia-aa image in QEMU (TCG) without Nova, with a config
drive made by the code the compute drivers use, and talk to its agent
the way the controller does: mutual TLS through the REST drivers, and
heartbeats received and verified on a UDP socket of this host.

Prints one JSON line per boot with the measured times."""
import http.client
import http.server
import json
import os
import secrets
import shutil
import threading
import time
import types
import uuid

from oslo_config import cfg
import pytest
import requests

from octavia_aa.amphorae.drivers import rest as amp_rest
from octavia_aa.amphorae.drivers import rest_opts
from octavia_aa.certificates import local as certs
from octavia_aa.certificates import tls
from octavia_aa.common import heartbeat
from octavia_aa.compute import boot_files
from octavia_aa.compute import config_drive
from octavia_aa.distributor.drivers import rest as dist_rest
from octavia_aa.distributor.drivers import rest_opts as dist_config
from tests.amphora import samples
from tests.images import vm as vmlib

pytestmark = pytest.mark.slow

BOOT_TIMEOUT = float(os.environ.get('OCTAVIA_AA_BOOT_TIMEOUT', '420'))
AGENT_PORT = 9443


@pytest.fixture(scope='module')
def image():
    if not os.path.exists(vmlib.IMAGE):
        pytest.fail('no image %s: build it with tools/build-images.sh '
                    '(or set OCTAVIA_AA_IMAGE)' % vmlib.IMAGE)
    for tool in ('qemu-system-x86_64', 'qemu-img'):
        if not shutil.which(tool):
            pytest.fail('%s missing (Debian: qemu-system-x86, qemu-utils)'
                        % tool)
    return vmlib.IMAGE


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    ca_dir = str(tmp_path_factory.mktemp('ca'))
    controller = os.path.join(ca_dir, 'controller.pem')
    certs.ensure_local_pki(ca_dir, controller)
    return ca_dir, controller


@pytest.fixture(scope='module')
def network():
    net = vmlib.Network()
    try:
        yield net
    finally:
        net.remove()


def _client_conf(ca_dir, controller):
    conf = cfg.ConfigOpts()
    for group, opts in ((rest_opts.GROUP, rest_opts.client_opts),
                        (dist_config.GROUP, dist_config.client_opts)):
        conf.register_opts(opts, group=group)
        conf.set_override('client_cert', controller, group)
        conf.set_override('server_ca', os.path.join(
            ca_dir, certs.SERVER_CA + '.pem'), group)
        conf.set_override('agent_port', AGENT_PORT, group)
        conf.set_override('connect_timeout', 3.0, group)
        conf.set_override('connection_max_retries', 0, group)
    conf([])
    return conf


class _Member(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = b'member on the host\n'
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def _http_get(host, port, timeout=30):
    deadline = time.monotonic() + timeout
    while True:
        try:
            conn = http.client.HTTPConnection(host, port, timeout=3)
            conn.request('GET', '/')
            resp = conn.getresponse()
            return resp.status, resp.read()
        except OSError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.5)


def _serve_through_haproxy(driver, entity, network, mac):
    """The amphora's HAProxy, configured by the controller's driver, sends
    a client's request on a VIP to a member server on this host."""
    member = http.server.ThreadingHTTPServer((network.gateway, 0), _Member)
    threading.Thread(target=member.serve_forever, daemon=True).start()
    try:
        vip = network.address()
        driver.plug_vip(entity, {'ip_address': vip,
                                 'subnet_cidr': str(network.subnet),
                                 'gateway': None, 'mtu': 1500, 'mac': mac},
                        arp=True)
        config = samples.config(
            [samples.listener(1, pool=samples.P1, port=80)],
            [samples.pool(1, members=[samples.member(
                1, network.gateway, port=member.server_address[1])])],
            vip=vip)
        config['load_balancer']['id'] = str(uuid.uuid4())
        driver.update_config(entity, config, peers=[])
        return _http_get(vip, 80)
    finally:
        member.shutdown()
        member.server_close()


def _plug_distributor_vip(driver, entity, network, mac):
    """The distributor's nftables tables (libnftables of the image) for a
    VIP on its interface, read back with their counters."""
    lb_id = str(uuid.uuid4())
    vip = network.address()
    driver.plug_vip(entity, lb_id, vip, str(network.subnet), None,
                    mac_address=mac)
    return vip, driver.get_status(entity, lb_id)


def _refuses_strangers(tmp_path, ca_dir, entity_id, ip):
    """Mutual TLS: no client certificate, or one from another CA, gets no
    answer from the agent (its own certificate is trusted)."""
    other = str(tmp_path / 'other-ca')
    certs.init_cas(other)
    stranger = str(tmp_path / 'stranger.pem')
    certs.issue_controller(other, stranger)
    url = 'https://%s:%d/v1/info' % (ip, AGENT_PORT)
    for client_cert in (None, stranger):
        session = tls.pinned_session(entity_id, client_cert, os.path.join(
            ca_dir, certs.SERVER_CA + '.pem'))
        with pytest.raises(requests.exceptions.RequestException):
            session.get(url, timeout=10)


def _boot(kind, tmp_path, image, pki, network, then=None):
    ca_dir, controller = pki
    entity_id = str(uuid.uuid4())
    key = secrets.token_hex(16)
    receiver = heartbeat.HeartbeatReceiver(key, bind_ip=network.gateway,
                                           bind_port=0)
    tap, ip, mac = network.tap()
    health = types.SimpleNamespace(
        controller_ip_port_list=['%s:%d' % receiver.address],
        heartbeat_interval=1.0, heartbeat_key=key)
    files = boot_files.machine_files(
        kind, entity_id, boot_files.IMAGE_LAYOUTS[kind], ca_dir, AGENT_PORT,
        boot_files.heartbeat_options(health), ip_addresses=[ip])
    drive = str(tmp_path / ('%s-config.iso' % kind))
    config_drive.build(drive, files, entity_id, name='%s-%s' % (
        kind, entity_id[:8]), network_data=network.network_data(ip, mac))
    conf = _client_conf(ca_dir, controller)
    driver = amp_rest.RestAmphoraDriver(conf) if kind == 'amphora' else \
        dist_rest.RestDistributorDriver(conf)
    entity = types.SimpleNamespace(id=entity_id, lb_network_ip=ip)
    machine = vmlib.Vm(str(tmp_path), kind, image, drive, tap, mac)
    try:
        info = None
        deadline = machine.started + BOOT_TIMEOUT
        while time.monotonic() < deadline and machine.alive():
            try:
                info = driver.get_info(entity)
                break
            except requests.exceptions.SSLError as exc:
                # A certificate refused is a failure now, not a wait.
                if 'EOF' not in str(exc):
                    raise
            except requests.exceptions.ConnectionError:
                pass                  # not up yet: refused, unreachable
            time.sleep(1)
        answered = time.monotonic() - machine.started
        assert info is not None, 'agent did not answer in %ss:\n%s' % (
            BOOT_TIMEOUT, machine.console_text()[-6000:])
        assert info['id'] == entity_id
        _refuses_strangers(tmp_path, ca_dir, entity_id, ip)

        message = None
        hb_deadline = time.monotonic() + 30
        while message is None and time.monotonic() < hb_deadline:
            got = receiver.receive(timeout=1)
            if got and got[0].get('id') == entity_id:
                message, source = got
        assert message is not None, 'no heartbeat (dropped: %d)\n%s' % (
            receiver.dropped, machine.console_text()[-3000:])
        assert source[0] == ip
        assert receiver.dropped == 0
        heartbeat_at = time.monotonic() - machine.started
        figures = {'bench': 'image_boot_qemu_tcg', 'role': kind,
                   'agent_answered_s': round(answered, 1),
                   'heartbeat_s': round(heartbeat_at, 1)}
        result = info
        if then is not None:
            result = info, then(driver, entity, network, mac)
            figures['served_s'] = round(time.monotonic() - machine.started,
                                        1)
        figures.update(qemu_rss_mib=machine.rss_mib(),
                       image_mib=os.path.getsize(image) >> 20)
        print(json.dumps(figures))
        return result
    finally:
        machine.kill()
        receiver.close()


def test_amphora_image_boots_answers_and_serves(tmp_path, image, pki,
                                               network):
    info, (status, body) = _boot('amphora', tmp_path, image, pki, network,
                                 then=_serve_through_haproxy)
    assert (status, body) == (200, b'member on the host\n')
    # HAProxy of the image (Debian 12: 2.6) answered the agent's -v.
    assert info['haproxy_version'].startswith('2.')


def test_distributor_image_boots_answers_and_plugs(tmp_path, image, pki,
                                                  network):
    info, (vip, status) = _boot('distributor', tmp_path, image, pki, network,
                                then=_plug_distributor_vip)
    assert info['slots'] == 4099
    assert status['vip_address'] == vip
    assert 'counters' in status
