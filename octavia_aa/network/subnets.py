"""The subnets the operator declared ([networking] subnets and
[subnet:NAME] sections), with ids stable across restarts.

They stand in for Neutron: the API serves them at /v2.0/subnets and
/v2.0/networks so that `openstack loadbalancer create --vip-subnet-id
public-subnet` resolves the name the way it does against Neutron.
"""
import dataclasses
import functools
import ipaddress
import uuid

from octavia_aa.common import config

CONF = config.CONF
_NS = uuid.UUID('6f1b2a44-52a8-4a43-9d3c-7a0d6b1f2e90')


@dataclasses.dataclass(frozen=True)
class Subnet:
    id: str
    name: str
    network_id: str
    network_name: str
    cidr: str
    gateway_ip: str | None
    allocation_start: str
    allocation_end: str
    mtu: int

    @property
    def ip_version(self):
        return ipaddress.ip_network(self.cidr).version

    def to_neutron(self, project_id):
        return {'id': self.id, 'name': self.name,
                'network_id': self.network_id, 'cidr': self.cidr,
                'gateway_ip': self.gateway_ip, 'ip_version': self.ip_version,
                'enable_dhcp': False, 'project_id': project_id,
                'tenant_id': project_id, 'description': '',
                'allocation_pools': [{'start': self.allocation_start,
                                      'end': self.allocation_end}],
                'host_routes': [], 'dns_nameservers': [], 'tags': []}


def _build(name):
    group = config.subnet_group(name)
    if not group.cidr:
        raise ValueError('[subnet:%s] needs a cidr' % name)
    net = ipaddress.ip_network(group.cidr, strict=False)
    hosts = net.hosts()
    first = next(hosts)
    gateway = group.gateway_ip or str(first)
    start = group.allocation_start or str(ipaddress.ip_address(gateway) + 1)
    end = group.allocation_end or str(net.broadcast_address - 1
                                      if net.version == 4
                                      else net[-1])
    network_name = group.network_name or name
    return Subnet(id=str(uuid.uuid5(_NS, 'subnet:' + name)), name=name,
                  network_id=network_id(network_name),
                  network_name=network_name, cidr=str(net),
                  gateway_ip=gateway, allocation_start=start,
                  allocation_end=end, mtu=group.mtu)


def network_id(network_name):
    """The stable id of a network, from its name."""
    return str(uuid.uuid5(_NS, 'network:' + network_name))


@functools.lru_cache(maxsize=1)
def _catalog(names):
    return tuple(_build(n) for n in names)


def all_subnets():
    return _catalog(tuple(CONF.networking.subnets))


def find(id_or_name):
    """The subnet with this id or name, or None."""
    for subnet in all_subnets():
        if id_or_name in (subnet.id, subnet.name):
            return subnet
    return None


@functools.lru_cache(maxsize=8)
def declared(name):
    """Any subnet with a [subnet:NAME] section, offered to users or not
    (the management subnet is not)."""
    return find(name) or _build(name)


def containing(address):
    """A declared, offered subnet whose CIDR holds `address`, or None."""
    ip = ipaddress.ip_address(address)
    return next((s for s in all_subnets()
                 if ip in ipaddress.ip_network(s.cidr)), None)


def fabricate(subnet_id, network_id=None, address=None):
    """A subnet nobody declared, as the noop network driver (like
    upstream's) accepts any id: a /24 (IPv4) or /64 (IPv6) around
    `address`, else 198.51.100.0/24."""
    if address is not None:
        ip = ipaddress.ip_address(address)
        net = ipaddress.ip_network('%s/%d' % (ip, 24 if ip.version == 4
                                              else 64), strict=False)
    else:
        net = ipaddress.ip_network('198.51.100.0/24')
    gateway = net[1]
    end = net[-2] if net.version == 4 else net[-1]
    network_id = network_id or str(uuid.uuid5(_NS, 'fabricated:' +
                                              subnet_id))
    return Subnet(id=subnet_id, name=subnet_id, network_id=network_id,
                  network_name=network_id, cidr=str(net),
                  gateway_ip=str(gateway), allocation_start=str(gateway + 1),
                  allocation_end=str(end), mtu=1500)


def fabricated_subnet_id(network_id):
    """The id of the one subnet fabricated for an unknown network."""
    return str(uuid.uuid5(_NS, 'network-subnet:' + network_id))


def networks(subnet_list=None):
    """Neutron-shaped networks derived from the subnets."""
    nets = {}
    for s in all_subnets() if subnet_list is None else subnet_list:
        net = nets.setdefault(s.network_id, {
            'id': s.network_id, 'name': s.network_name, 'subnets': [],
            'admin_state_up': True, 'status': 'ACTIVE', 'shared': True,
            'mtu': s.mtu, 'router:external': False, 'tags': [],
            'description': ''})
        net['subnets'].append(s.id)
    return list(nets.values())


def reset():
    _catalog.cache_clear()
    declared.cache_clear()
