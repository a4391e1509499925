"""Our agent image booted through Nova by our compute driver
(compute_nova_driver, octavia_aa/compute/drivers/nova.py), from a
MachineSpec as the controller makes it: the image found in Glance by its
tag, on ports made on lb-mgmt-net and a tenant network, in an
anti-affinity server group, its boot files (boot_files.machine_files) as
user data on Nova's own config drive.
From the host, over the management network, the controller's REST driver
reaches the agent over mutual TLS (strangers refused both ways), a real
heartbeat receiver verifies its heartbeats with the configured key (and
one with another key rejects them), and deleting the server leaves
nothing.  Prints one JSON line of figures per role.
"""
import dataclasses
import ipaddress
import json
import os
import secrets
import time
import types
import uuid

from oslo_config import cfg
import pytest
import yaml

from octavia_aa.common import heartbeat
from octavia_aa.common import service_auth
from octavia_aa.compute import boot_files
from octavia_aa.compute import spec as spec_mod
from octavia_aa.compute.drivers import nova
from octavia_aa.network import ports as ports_mod
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
def compute(octavia):
    """Our Nova compute driver, as octavia-aa's service user of the
    devcloud ([service_auth] from its clouds.yaml)."""
    _conn, env, _path = octavia
    with open(env['OS_CLIENT_CONFIG_FILE']) as f:
        cloud = yaml.safe_load(f)['clouds']['devcloud-octavia']
    conf = cfg.ConfigOpts()
    conf([])
    service_auth.register_plugin_opts(conf)
    conf.set_override('auth_type', 'password', service_auth.GROUP)
    for key, value in cloud['auth'].items():
        conf.set_override(key, value, service_auth.GROUP)
    driver = nova.NovaComputeDriver(conf)
    conf.set_override('region_name', cloud.get('region_name'), 'nova')
    conf.set_override('build_timeout', 600, 'nova')
    return driver


def _port(conn, network_id, name):
    """A Neutron port, as the network driver makes it for a machine."""
    made = conn.network.create_port(network_id=network_id, name=name)
    fixed = made.fixed_ips[0]
    subnet = conn.network.get_subnet(fixed['subnet_id'])
    return made, ports_mod.Port(
        id=made.id, network_id=network_id, subnet_id=subnet.id,
        ip_address=fixed['ip_address'], mac_address=made.mac_address,
        cidr=subnet.cidr, gateway=subnet.gateway_ip)


def test_nova_driver_refuses_what_it_cannot_boot(compute, agent_image):
    """Before any server is made: no image with the tag, no flavor."""
    spec = spec_mod.MachineSpec(
        name='amphora-refused', kind=spec_mod.AMPHORA,
        entity_id=str(uuid.uuid4()), image_tag='no-such-tag-%s'
        % secrets.token_hex(4), compute_flavor='amphora')
    with pytest.raises(nova.ComputeBuildError, match='no-such-tag'):
        compute.build(spec)
    with pytest.raises(nova.ComputeBuildError, match='No Nova flavor'):
        compute.build(dataclasses.replace(spec, image_tag=TAGS['amphora'],
                                          compute_flavor='no-such-flavor'))


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
                                        compute, tmp_path):
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
    _image_by_tag(conn, kind)          # exactly one: the driver's pick
    figures = {'bench': 'devcloud_nova_boot', 'role': kind}
    made = [_port(conn, env[net], '%s-%s-%d' % (kind, entity_id, i))
            for i, net in enumerate(('DEVCLOUD_MGMT_NET_ID',
                                     'DEVCLOUD_TENANT_NET_ID'))]
    group = compute.create_server_group('octavia-lb-test-' + entity_id)
    spec = spec_mod.MachineSpec(
        name='%s-%s' % (kind, entity_id), kind=kind, entity_id=entity_id,
        ports=tuple(p for _, p in made), boot_files=tuple(files),
        agent_port=ctl.AGENT_PORT, image_tag=TAGS[kind],
        compute_flavor=env['DEVCLOUD_AMP_FLAVOR_ID'],
        server_group_id=group)
    t0 = time.monotonic()
    compute_id = compute.build(spec)
    server = conn.compute.get_server(compute_id)
    instance_name = None
    try:
        # A retried build (a resumed flow) finds the same server.
        assert compute.build(spec) == compute_id
        active = compute.wait_active(compute_id)
        figures['active_s'] = round(time.monotonic() - t0, 1)
        assert compute.status(compute_id) == 'ACTIVE'
        server = conn.compute.get_server(compute_id)
        instance_name = server.instance_name
        assert server.image.id == _image_by_tag(conn, kind).id
        assert compute_id in conn.compute.get_server_group(
            group).member_ids
        by_net = servers.ports_by_network(conn, server)
        ports = list(by_net.values())
        assert sorted(p.id for p in ports) == sorted(p.id for _, p in made)
        mgmt_ip = by_net[env['DEVCLOUD_MGMT_NET_ID']].fixed_ips[0][
            'ip_address']
        assert active == {'lb_network_ip': mgmt_ip}
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
        compute.delete(compute_id)
        _cleanup(conn, compute, made, group)
        raise
    finally:
        receiver.close()
        forger.close()
    t_del = time.monotonic()
    compute.delete(compute_id)
    assert compute.status(compute_id) == 'DELETED'
    compute.delete(compute_id)             # idempotent
    # The ports are the network driver's: Nova only unbinds them.
    _cleanup(conn, compute, made, group)
    servers.delete_and_check_gone(conn, env, server, instance_name, ports)
    figures['delete_clean_s'] = round(time.monotonic() - t_del, 1)
    servers.FIGURES.update({'%s_%s' % (kind, k): v for k, v in
                            figures.items() if k.endswith('_s')})
    print(json.dumps(figures))


def _cleanup(conn, compute, made, group):
    for port, _ in made:
        conn.network.delete_port(port, ignore_missing=True)
    compute.delete_server_group(group)
    compute.delete_server_group(group)     # idempotent
    assert conn.compute.find_server_group(group,
                                          ignore_missing=True) is None
