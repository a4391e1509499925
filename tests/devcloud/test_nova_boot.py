"""Our agent image booted through Nova, as the compute driver will boot it:
found in Glance by its tag, on lb-mgmt-net and a tenant network, its boot
files (boot_files.machine_files) as user data on Nova's own config drive.
From the host, over the management network, the controller's REST driver
reaches the agent over mutual TLS (strangers refused both ways), a real
heartbeat receiver verifies its heartbeats with the configured key (and
one with another key rejects them), and deleting the server leaves
nothing.  Prints one JSON line of figures per role.
"""
import base64
import ipaddress
import json
import os
import secrets
import time
import types
import uuid

import pytest

from octavia_aa.common import heartbeat
from octavia_aa.compute import boot_files
from octavia_aa.compute import config_drive
from tests.devcloud import servers
from tests.images import controller as ctl

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1800)]

# The Glance tags octavia-aa finds its images by (amp_image_tag and the
# distributors' one): one image carries both agents.
TAGS = {'amphora': 'octavia-aa-amphora',
        'distributor': 'octavia-aa-distributor'}
BOOT_TIMEOUT = float(os.environ.get('OCTAVIA_AA_BOOT_TIMEOUT', '900'))


@pytest.fixture(scope='module')
def octavia(devcloud):
    """(connection as octavia-aa's service user, env, image path)."""
    env, image_path = devcloud
    conn = servers.connect(env, 'devcloud-octavia')
    yield conn, env, image_path
    conn.close()


@pytest.fixture(scope='module')
def agent_image(octavia):
    """The built image in Glance, owned by the service project and
    tagged for both roles; uploaded once per build (its name carries the
    build's source key, tools/build-images.sh's NAME.key)."""
    conn, _env, path = octavia
    with open(path[:-len('.qcow2')] + '.key') as f:
        name = '%s-%s' % (servers.IMAGE_NAME, f.read().strip()[:16])
    t0 = time.monotonic()
    image = conn.image.find_image(name)
    if image is None or image.status != 'active':
        image = conn.image.create_image(
            name, filename=path, disk_format='qcow2',
            container_format='bare', visibility='private',
            tags=sorted(TAGS.values()), allow_duplicates=True, wait=True,
            timeout=600)
        servers.FIGURES['glance_upload_s'] = round(time.monotonic() - t0, 1)
    # An image of an earlier build would be found by the same tags.
    for old in conn.image.images(tag=TAGS['amphora']):
        if old.id != image.id:
            conn.image.delete_image(old)
    return image


@pytest.fixture(scope='module')
def pki(tmp_path_factory):
    return ctl.make_pki(str(tmp_path_factory.mktemp('ca')))


def _image_by_tag(conn, kind):
    found = list(conn.image.images(tag=TAGS[kind]))
    assert len(found) == 1, [i.id for i in found]
    return found[0]


def _plug_distributor_vip(drv, entity, env, port):
    """The distributor's nftables tables for a VIP on its tenant NIC
    (found by the MAC Neutron gave it), read back from the agent."""
    net = ipaddress.ip_network(env['DEVCLOUD_TENANT_CIDR'])
    # Outside the subnet's allocation pool (.10-.200): no port has it.
    vip = str(net[201 + secrets.randbelow(50)])
    lb_id = str(uuid.uuid4())
    drv.plug_vip(entity, lb_id, vip, str(net), None,
                 mac_address=port.mac_address)
    status = drv.get_status(entity, lb_id)
    assert status['vip_address'] == vip
    assert 'counters' in status


@pytest.mark.parametrize('kind', ['amphora', 'distributor'])
def test_agent_image_boots_through_nova(kind, octavia, agent_image, pki,
                                        tmp_path):
    conn, env, _path = octavia
    ca_dir, controller = pki
    entity_id = str(uuid.uuid4())
    host_ip = env['DEVCLOUD_MGMT_HOST_IP']
    key = secrets.token_hex(16)
    receiver = heartbeat.HeartbeatReceiver(key, bind_ip=host_ip, bind_port=0)
    # A second health manager that holds another key: it must drop them.
    forger = heartbeat.HeartbeatReceiver(secrets.token_hex(16),
                                         bind_ip=host_ip, bind_port=0)
    health = types.SimpleNamespace(
        controller_ip_port_list=['%s:%d' % r.address
                                 for r in (receiver, forger)],
        heartbeat_interval=1.0, heartbeat_key=key)
    files = boot_files.machine_files(
        kind, entity_id, boot_files.IMAGE_LAYOUTS[kind], ca_dir,
        ctl.AGENT_PORT, boot_files.heartbeat_options(health))
    drv = ctl.driver(kind, ctl.client_conf(ca_dir, controller))
    image = _image_by_tag(conn, kind)
    figures = {'bench': 'devcloud_nova_boot', 'role': kind}
    t0 = time.monotonic()
    server = conn.compute.create_server(
        name='%s-%s' % (kind, entity_id), image_id=image.id,
        flavor_id=env['DEVCLOUD_AMP_FLAVOR_ID'],
        networks=[{'uuid': env['DEVCLOUD_MGMT_NET_ID']},
                  {'uuid': env['DEVCLOUD_TENANT_NET_ID']}],
        config_drive=True,
        user_data=base64.b64encode(config_drive.user_data(files)).decode())
    try:
        server = conn.compute.wait_for_server(server, status='ACTIVE',
                                              wait=600, interval=2)
        figures['active_s'] = round(time.monotonic() - t0, 1)
        instance_name = server.instance_name
        by_net = servers.ports_by_network(conn, server)
        ports = list(by_net.values())
        assert len(ports) == 2
        mgmt_ip = by_net[env['DEVCLOUD_MGMT_NET_ID']].fixed_ips[0][
            'ip_address']
        entity = types.SimpleNamespace(id=entity_id, lb_network_ip=mgmt_ip)

        info = ctl.wait_for_agent(drv, entity, t0 + BOOT_TIMEOUT)
        assert info is not None, 'agent on %s did not answer in %ss:\n%s' % (
            mgmt_ip, BOOT_TIMEOUT, conn.compute.get_server_console_output(
                server)['output'][-6000:])
        figures['agent_answered_s'] = round(time.monotonic() - t0, 1)
        # Its files came from Nova's config drive: its id, its CA.
        assert info['id'] == entity_id
        ctl.refuses_strangers(tmp_path, ca_dir, controller, entity_id,
                              mgmt_ip)

        got = ctl.wait_for_heartbeat(receiver, entity_id, timeout=60)
        assert got is not None, 'no heartbeat (dropped: %d)' % (
            receiver.dropped)
        figures['heartbeat_s'] = round(time.monotonic() - t0, 1)
        message, source = got
        assert source[0] == mgmt_ip
        assert heartbeat.order(message) is not None
        assert receiver.dropped == 0
        # The same datagrams, signed with a key the forger lacks.
        for _ in range(10):
            if forger.counters['received']:
                break
            forger.receive(timeout=1)
        assert forger.counters['forged'] >= 1
        assert forger.counters['accepted'] == 0

        if kind == 'distributor':
            _plug_distributor_vip(drv, entity, env,
                                  by_net[env['DEVCLOUD_TENANT_NET_ID']])
    except BaseException:
        servers.delete(conn, server)
        raise
    finally:
        receiver.close()
        forger.close()
    figures['delete_clean_s'] = round(servers.delete_and_check_gone(
        conn, env, server, instance_name, ports), 1)
    servers.FIGURES.update({'%s_%s' % (kind, k): v for k, v in
                            figures.items() if k.endswith('_s')})
    print(json.dumps(figures))
