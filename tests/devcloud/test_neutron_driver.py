"""network_neutron_driver against the devcloud's real Neutron (ML2/OVS,
openvswitch firewall): subnets by id and name, the VIP port, a
management port with the management group, an amphora front-end port
with the VIP in its allowed address pairs and the load balancer's group
(its listener's port), a member port and a distributor port, each
hot-plugged into a running server (the devcloud-test image), then all
of it removed, twice (idempotent), and nothing of it left in Neutron.
"""
import secrets
import types
import uuid

from oslo_config import cfg
import pytest
import yaml

from octavia_aa.common import config
from octavia_aa.common import exceptions
from octavia_aa.common import service_auth
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.network.drivers import neutron
from octavia_aa.network.drivers import neutron_sg
from tests.devcloud import servers

pytestmark = [pytest.mark.slow, pytest.mark.timeout(1200)]


@pytest.fixture(scope='module')
def octavia(devcloud):
    env, _image = devcloud
    conn = servers.connect(env, 'devcloud-octavia')
    yield conn, env
    conn.close()


@pytest.fixture(scope='module')
def driver(octavia):
    """The driver as octavia-aa's service user, management network
    lb-mgmt-net by name."""
    _conn, env = octavia
    with open(env['OS_CLIENT_CONFIG_FILE']) as f:
        cloud = yaml.safe_load(f)['clouds']['devcloud-octavia']
    conf = cfg.ConfigOpts()
    conf([])
    service_auth.register_plugin_opts(conf)
    conf.set_override('auth_type', 'password', service_auth.GROUP)
    for key, value in cloud['auth'].items():
        conf.set_override(key, value, service_auth.GROUP)
    drv = neutron.NeutronNetworkDriver(conf)
    conf.set_override('region_name', cloud.get('region_name'), 'neutron')
    conf.set_override('management_network', 'lb-mgmt-net', 'neutron')
    return drv


def test_subnets_from_neutron(driver, octavia):
    _conn, env = octavia
    by_id = driver.get_subnet(env['DEVCLOUD_TENANT_SUBNET_ID'])
    assert by_id.cidr == env['DEVCLOUD_TENANT_CIDR']
    assert by_id.network_id == env['DEVCLOUD_TENANT_NET_ID']
    assert (by_id.allocation_start, by_id.allocation_end) == (
        '203.0.113.10', '203.0.113.200')
    assert driver.get_subnet('tenant-subnet') == by_id
    assert driver.get_subnet('no-such-subnet-%s' % secrets.token_hex(3)) \
        is None
    assert [s.id for s in driver.network_subnets('public')] == [
        env['DEVCLOUD_PUBLIC_SUBNET_ID']]
    assert driver.network_subnets('no-such-net') == []
    assert driver.subnet_containing('203.0.113.77') == by_id
    assert driver.subnet_containing('100.64.0.1') is None
    ids = {s.id for s in driver.list_subnets()}
    assert {env['DEVCLOUD_TENANT_SUBNET_ID'],
            env['DEVCLOUD_PUBLIC_SUBNET_ID']} <= ids
    net = driver.get_network('public')
    assert net['id'] == env['DEVCLOUD_PUBLIC_NET_ID']
    assert net['router:external'] is True
    with pytest.raises(exceptions.InvalidInput, match='management_network'):
        driver.validate_availability_zone(
            {'management_network': 'no-such-net'})


def _lb_rows(lb_id, vip):
    """The load balancer, its VIP and one HTTP listener on port 8080 in
    octavia-aa's database (the driver reads them for the groups)."""
    with db_api.session_scope() as s:
        s.add(models.LoadBalancer(
            id=lb_id, project_id='p', provisioning_status='ACTIVE',
            operating_status='ONLINE', topology='ACTIVE_ACTIVE',
            provider='amphora'))
        s.flush()
        s.add(models.Vip(load_balancer_id=lb_id, **vip))
        s.add(models.Listener(
            id=str(uuid.uuid4()), project_id='p', load_balancer_id=lb_id,
            protocol='HTTP', protocol_port=8080,
            provisioning_status='ACTIVE', operating_status='ONLINE'))


def _ingress(conn, group_id):
    return sorted((r.protocol, r.port_range_min, r.remote_ip_prefix)
                  for r in conn.network.security_group_rules(
                      security_group_id=group_id, direction='ingress'))


def _owned_ports(conn, *entity_ids):
    return [p.id for p in conn.network.ports()
            if any(e in (p.description or '') for e in entity_ids)]


def test_ports_plugged_into_a_server_and_all_removed(driver, octavia,
                                                     database):
    conn, env = octavia
    lb_id, amp_id, dist_id = (str(uuid.uuid4()) for _ in range(3))
    public = driver.get_subnet(env['DEVCLOUD_PUBLIC_SUBNET_ID'])
    tenant = driver.get_subnet('tenant-subnet')
    vip = driver.allocate_vip(lb_id, public)
    server = None
    try:
        port = conn.network.get_port(vip['port_id'])
        assert port.fixed_ips[0]['ip_address'] == vip['ip_address']
        assert vip['subnet_id'] == public.id
        # The same address again: refused (409 naming it), not 500.
        with pytest.raises(exceptions.Conflict, match=vip['ip_address']):
            driver.allocate_vip(str(uuid.uuid4()), public,
                                vip['ip_address'])
        _lb_rows(lb_id, vip)

        mgmt = driver.create_management_port('amphora', amp_id)
        assert mgmt == driver.create_management_port('amphora', amp_id)
        assert mgmt.cidr == env['DEVCLOUD_MGMT_CIDR']
        group = conn.network.find_security_group(neutron_sg.MGMT_NAME)
        assert conn.network.get_port(mgmt.id).security_group_ids == [
            group.id]
        rules = _ingress(conn, group.id)
        assert ('tcp', 9443, env['DEVCLOUD_MGMT_CIDR']) in rules
        assert ('112', None, None) in rules      # VRRP between the group

        server = conn.compute.create_server(
            name='neutron-drv-%s' % amp_id[:8],
            image_id=env['DEVCLOUD_TEST_IMAGE_ID'],
            flavor_id=env['DEVCLOUD_TINY_FLAVOR_ID'],
            networks=[{'port': mgmt.id}], config_drive=True)
        server = conn.compute.wait_for_server(server, status='ACTIVE',
                                              wait=600, interval=3)
        amp = types.SimpleNamespace(id=amp_id, compute_id=server.id,
                                    load_balancer_id=lb_id)
        front = driver.plug_amphora(amp, public)
        port = conn.network.get_port(front['port_id'])
        assert port.device_id == server.id and port.status == 'ACTIVE'
        assert [p['ip_address'] for p in port.allowed_address_pairs] == [
            vip['ip_address']]
        lb_group = conn.network.find_security_group(
            neutron_sg.lb_name(lb_id))
        assert port.security_group_ids == [lb_group.id]
        assert _ingress(conn, lb_group.id) == sorted([
            ('tcp', 8080, '0.0.0.0/0'), ('tcp', 8080, '::/0'),
            ('tcp', config.CONF.controller_worker.amphora_probe_port,
             public.cidr)])
        assert driver.plug_amphora(amp, public) == front    # idempotent

        member = driver.plug_member_network(amp, tenant)
        assert member['ip'].startswith('203.0.113.')
        dist = types.SimpleNamespace(id=dist_id, compute_id=server.id)
        dport = driver.plug_distributor(dist, public)
        got = conn.network.get_port(dport['port_id'])
        assert got.is_port_security_enabled is False
        assert got.device_id == server.id
        attached = {i.port_id for i in
                    conn.compute.server_interfaces(server)}
        assert {mgmt.id, front['port_id'], member['port_id'],
                dport['port_id']} <= attached
    finally:
        for _ in range(2):                      # idempotent
            driver.unplug_amphora(types.SimpleNamespace(
                id=amp_id, compute_id=server and server.id,
                load_balancer_id=lb_id))
            driver.unplug_distributor(types.SimpleNamespace(id=dist_id))
            driver.delete_management_port(amp_id)
            driver.deallocate_vip(vip['port_id'])
        if server is not None:
            servers.delete(conn, server)
    assert _owned_ports(conn, lb_id, amp_id, dist_id) == []
    assert conn.network.find_security_group(
        neutron_sg.lb_name(lb_id)) is None
