"""The devcloud is a real cloud: Nova boots a server on the management and a
tenant network with a config drive, the host reaches it over the management
net, and deleting it leaves nothing behind (domain, tap, port, allocation).

Slow: the package fixture (conftest.py) brings the cloud up (minutes from
cold).
"""
import os
import urllib.request

import pytest

from tests.devcloud import servers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400)]


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
        by_net = servers.ports_by_network(conn, server)
        ports = list(by_net.values())
        assert len(ports) == 2
        mgmt_ip = by_net[
            env['DEVCLOUD_MGMT_NET_ID']].fixed_ips[0]['ip_address']
        tenant_ip = by_net[
            env['DEVCLOUD_TENANT_NET_ID']].fixed_ips[0]['ip_address']
        assert all(p.binding_host_id == 'devcloud' for p in ports)
        assert instance_name in servers.domains(all_=False)
        # Nova placed the server: it holds an allocation of the flavor.
        allocs = servers.allocations(conn, server.id)
        assert [a['resources']['MEMORY_MB'] for a in allocs.values()] == [512]

        # The guest booted, leased both addresses and read the config drive
        # (it prints the uuid it found there on its serial console).
        log = servers.wait('the guest to finish booting',
                           lambda: servers.console_with(
                               conn, server, 'devcloud-vm: boot complete'),
                           timeout=600, interval=5)
        assert 'config drive on' in log and server.id in log, log[-2000:]
        assert 'eth0 %s/' % mgmt_ip in log, log[-2000:]
        assert 'eth1 %s/' % tenant_ip in log, log[-2000:]

        # The host reaches the guest over lb-mgmt-net (as the controller and
        # health manager of octavia-aa will): it answers its own uuid.
        answer = servers.wait('the guest to answer on %s' % mgmt_ip,
                              lambda: _http_get('http://%s/' % mgmt_ip),
                              timeout=120, interval=2)
        assert answer == server.id
    except BaseException:
        servers.delete(conn, server)
        raise
    # Nothing is left of it.
    servers.delete_and_check_gone(conn, env, server, instance_name, ports)
