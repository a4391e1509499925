"""The devcloud is a real cloud: Nova boots a server on the management and a
tenant network with a config drive, the host reaches it over the management
net, and deleting it leaves nothing behind (domain, tap, port, allocation).

Slow: the fixture runs tools/devcloud/up.sh (idempotent; minutes from cold).
"""
import os
import pathlib
import subprocess
import time
import urllib.request

import openstack
import openstack.config
import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
UP = ROOT / 'tools' / 'devcloud' / 'up.sh'
STATE = pathlib.Path(os.environ.get('DEVCLOUD_STATE',
                                    ROOT / 'tools' / 'devcloud' / 'state'))

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


def _read_env(path):
    env = {}
    for line in path.read_text().splitlines():
        if line.startswith('export ') and '=' in line:
            key, _, value = line[len('export '):].partition('=')
            env[key] = value
    return env


@pytest.fixture(scope='module')
def cloud():
    subprocess.run(['bash', str(UP)], check=True, timeout=2100,
                   stdout=subprocess.DEVNULL)
    env = _read_env(STATE / 'env')
    config = openstack.config.OpenStackConfig(
        config_files=[env['OS_CLIENT_CONFIG_FILE']])
    conn = openstack.connection.Connection(
        config=config.get_one(cloud='devcloud-admin'))
    yield conn, env
    conn.close()


def _wait(what, check, timeout, interval=3):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


def _sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def _allocations(conn, server_id):
    resp = conn.placement.get('/allocations/%s' % server_id,
                              microversion='1.28')
    assert resp.status_code == 200, resp.text
    return resp.json()['allocations']


def _http_get(url):
    try:
        with urllib.request.urlopen(url, timeout=5) as resp:
            return resp.read().decode().strip()
    except OSError:
        return None


def test_server_boots_with_config_drive_and_leaves_nothing(cloud):
    conn, env = cloud
    server = conn.compute.create_server(
        name='devcloud-test-%d' % os.getpid(),
        image_id=env['DEVCLOUD_TEST_IMAGE_ID'],
        flavor_id=env['DEVCLOUD_AMP_FLAVOR_ID'],
        networks=[{'uuid': env['DEVCLOUD_MGMT_NET_ID']},
                  {'uuid': env['DEVCLOUD_TENANT_NET_ID']}],
        config_drive=True)
    try:
        server = conn.compute.wait_for_server(server, status='ACTIVE',
                                              wait=900, interval=5)
        instance_name = server.instance_name
        ports = list(conn.network.ports(device_id=server.id))
        assert len(ports) == 2
        by_net = {p.network_id: p for p in ports}
        mgmt_ip = by_net[
            env['DEVCLOUD_MGMT_NET_ID']].fixed_ips[0]['ip_address']
        tenant_ip = by_net[
            env['DEVCLOUD_TENANT_NET_ID']].fixed_ips[0]['ip_address']
        assert all(p.binding_host_id == 'devcloud' for p in ports)
        assert instance_name in _sh('virsh', '-c', 'qemu:///system', 'list',
                                    '--name')
        # Nova placed the server: it holds an allocation of the flavor.
        allocs = _allocations(conn, server.id)
        assert [a['resources']['MEMORY_MB'] for a in allocs.values()] == [512]

        # The guest booted, leased both addresses and read the config drive
        # (it prints the uuid it found there on its serial console).
        log = _wait('the guest to finish booting',
                    lambda: (lambda text: text if 'devcloud-vm: boot complete'
                             in text else None)(
                        conn.compute.get_server_console_output(
                            server)['output']), timeout=600, interval=5)
        assert 'config drive on' in log and server.id in log, log[-2000:]
        assert 'eth0 %s/' % mgmt_ip in log, log[-2000:]
        assert 'eth1 %s/' % tenant_ip in log, log[-2000:]

        # The host reaches the guest over lb-mgmt-net (as the controller and
        # health manager of octavia-aa will): it answers its own uuid.
        answer = _wait('the guest to answer on %s' % mgmt_ip,
                       lambda: _http_get('http://%s/' % mgmt_ip),
                       timeout=120, interval=2)
        assert answer == server.id
    finally:
        conn.compute.delete_server(server, ignore_missing=True)
        conn.compute.wait_for_delete(server, wait=300, interval=3)

    # Nothing is left of it.
    assert instance_name not in _sh('virsh', '-c', 'qemu:///system', 'list',
                                    '--all', '--name')
    _wait('its ports to go',
          lambda: not list(conn.network.ports(device_id=server.id)),
          timeout=60)
    bridge_ports = _sh('ovs-vsctl', 'list-ports', 'br-int').split()
    for port in ports:
        assert 'tap' + port.id[:11] not in bridge_ports
    assert _allocations(conn, server.id) == {}
    instance_dir = pathlib.Path(env['DEVCLOUD_HOME'], 'data', 'nova',
                                'instances', server.id)
    assert not instance_dir.exists()
