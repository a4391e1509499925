"""Networks, flavor and test image of the devcloud (idempotent).

Prints `export NAME=VALUE` lines (ids) that up.sh appends to state/env.
"""
import os

import openstack

env = os.environ
conn = openstack.connect(cloud='devcloud-admin')
net_api = conn.network
service = conn.identity.find_project('service')
out = {}


def network(name, physnet, nettype, project_id, shared=False, external=False,
            segment=None):
    net = net_api.find_network(name, ignore_missing=True)
    if net is None:
        attrs = dict(name=name, project_id=project_id, shared=shared,
                     provider_network_type=nettype,
                     provider_physical_network=physnet,
                     is_router_external=external)
        if segment is not None:
            attrs['provider_segmentation_id'] = segment
        net = net_api.create_network(**attrs)
    return net


def subnet(net, name, cidr, gateway, start, end, project_id):
    sub = net_api.find_subnet(name, network_id=net.id, ignore_missing=True)
    if sub is None:
        sub = net_api.create_subnet(
            name=name, network_id=net.id, ip_version=4, cidr=cidr,
            gateway_ip=gateway, is_dhcp_enabled=True, project_id=project_id,
            allocation_pools=[{'start': start, 'end': end}])
    return sub


# Management net: flat on br-dc-mgmt, whose own port carries the host's
# address. No gateway: amphorae reach only the host (controller, health
# manager) on it, and their default route stays on the VIP side.
mgmt = network('lb-mgmt-net', 'mgmt', 'flat', service.id)
mgmt_sub = subnet(mgmt, 'lb-mgmt-subnet', env['MGMT_CIDR'], None,
                  env['MGMT_POOL_START'], env['MGMT_POOL_END'], service.id)
public = network('public', 'public', 'flat', service.id, shared=True,
                 external=True)
pub_sub = subnet(public, 'public-subnet', env['PUBLIC_CIDR'], env['PUBLIC_GW'],
                 '198.51.100.10', '198.51.100.200', service.id)
admin = conn.identity.find_project('admin')
tenant = network('tenant-net', 'tenant', 'vlan', admin.id, shared=True,
                 segment=101)
ten_sub = subnet(tenant, 'tenant-subnet', env['TENANT_CIDR'], None,
                 '203.0.113.10', '203.0.113.200', admin.id)


def open_default_group(project):
    """The project's default security group accepts any IPv4 ingress, as
    DevStack's test setups do: the devcloud's own boot tests (HTTP to a
    test VM, the agent's REST port) make plain ports.  octavia-aa's
    Neutron driver puts its own groups on its ports, so the firewall
    (openvswitch driver) is enforced on those."""
    for group in conn.network.security_groups(project_id=project.id,
                                              name='default'):
        rules = conn.network.security_group_rules(
            security_group_id=group.id, direction='ingress',
            remote_ip_prefix='0.0.0.0/0')
        if not list(rules):
            conn.network.create_security_group_rule(
                security_group_id=group.id, direction='ingress',
                ethertype='IPv4', remote_ip_prefix='0.0.0.0/0')


for project in (admin, service):
    open_default_group(project)

# Amphora flavor: 512 MB, 1 vCPU; 4 GB disk holds a DIB Debian image.
flavor = conn.compute.find_flavor('amphora', ignore_missing=True)
if flavor is None:
    flavor = conn.compute.create_flavor(name='amphora', ram=512, vcpus=1,
                                        disk=4, is_public=True)
tiny = conn.compute.find_flavor('devcloud-tiny', ignore_missing=True)
if tiny is None:
    tiny = conn.compute.create_flavor(name='devcloud-tiny', ram=256, vcpus=1,
                                      disk=1, is_public=True)

image = conn.image.find_image('devcloud-test', ignore_missing=True)
if image is None:
    image = conn.create_image(
        'devcloud-test', filename=env['TEST_IMAGE'], disk_format='raw',
        container_format='bare', visibility='public', wait=True)

for key, obj in (('MGMT_NET_ID', mgmt), ('MGMT_SUBNET_ID', mgmt_sub),
                 ('PUBLIC_NET_ID', public), ('PUBLIC_SUBNET_ID', pub_sub),
                 ('TENANT_NET_ID', tenant), ('TENANT_SUBNET_ID', ten_sub),
                 ('AMP_FLAVOR_ID', flavor), ('TINY_FLAVOR_ID', tiny),
                 ('TEST_IMAGE_ID', image), ('SERVICE_PROJECT_ID', service)):
    print('export DEVCLOUD_%s=%s' % (key, obj.id))
