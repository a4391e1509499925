"""Network driver for amphorae and distributors in network namespaces.

Every network (management, VIP, member networks; from the declared
subnets) is a Linux bridge on this host; a port is a veth from the
bridge into the machine's namespace with a MAC derived from the port id,
and its address comes from the database IPAM (ipam.allocate), so no
address is handed out twice, even by concurrent workers.  The address is
configured inside the namespace as well (what DHCP would do for a VM):
an amphora with its VIP hidden from ARP needs an own address on the
front-end subnet to send its ARP requests from.
"""
import ipaddress
import threading

from octavia_aa.common import config
from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db.queries import ip_allocation as alloc_q
from octavia_aa.network import ipam
from octavia_aa.network import ports
from octavia_aa.network import subnets
from octavia_aa.network.drivers import local
from octavia_aa.network.drivers import netns_links as links
from octavia_aa.network.drivers import netns_opts

CONF = config.CONF


class NetnsNetworkDriver(local.LocalNetworkDriver):

    def __init__(self, conf=None):
        self.conf = conf or CONF
        self.opts = netns_opts.register_opts(self.conf)
        self._lock = threading.Lock()

    @property
    def prefix(self):
        return self.opts.name_prefix

    # -- networks ------------------------------------------------------
    def ensure_network(self, subnet):
        """The bridge of the subnet's network (with the controller's
        address on the management one)."""
        address = prefixlen = None
        if (subnet.name == self.opts.management_subnet and
                self.opts.management_host_address and subnet.gateway_ip):
            address = subnet.gateway_ip
            prefixlen = ipaddress.ip_network(subnet.cidr).prefixlen
        with self._lock:
            return links.ensure_bridge(
                links.bridge_name(self.prefix, subnet.network_id),
                subnet.mtu, address, prefixlen)

    def delete_network(self, subnet):
        """Remove a bridge that no longer has ports."""
        name = links.bridge_name(self.prefix, subnet.network_id)
        with self._lock:
            if not links.bridge_ports(name):
                links.remove_link(name)

    def plug_port(self, namespace, subnet, owner, ip_address=None,
                  session=None):
        """Allocate an address on subnet and plug it into namespace;
        returns dict(ip, mac, port_id, interface)."""
        address, port_id = ipam.allocate(subnet, owner, ip_address,
                                         session=session)
        try:
            bridge = self.ensure_network(subnet)
            mac = links.mac_for(self.prefix, port_id)
            inner = 'p' + links.short(self.prefix, port_id)
            links.plug(namespace, bridge,
                       links.veth_name(self.prefix, port_id), inner, mac,
                       subnet.mtu, address,
                       ipaddress.ip_network(subnet.cidr).prefixlen)
        except Exception:
            self.unplug_port(port_id, session=session)
            raise
        return {'ip': address, 'mac': mac, 'port_id': port_id,
                'interface': inner}

    def unplug_port(self, port_id, session=None):
        # The namespace end goes away with the host end (or the namespace).
        links.remove_link(links.veth_name(self.prefix, port_id))
        ipam.release(port_id, session=session)

    def release_port(self, port_id):
        self.unplug_port(port_id)

    def unplug_owner(self, owner, session=None):
        """Every port allocated to owner (idempotent: after a crash the
        IPAM rows name what is left to remove)."""
        with db_api.in_session(session) as s:
            ports = alloc_q.port_ids_of_owner(s, owner)
            for port_id in ports:
                self.unplug_port(port_id, session=s)
        return ports

    # -- the NetworkDriver interface -----------------------------------
    def prepare(self):
        """The management bridge with the gateway address the health
        manager listens on."""
        self.ensure_network(subnet(self.opts.management_subnet))

    def validate_availability_zone(self, zone_data):
        """One management network: a management_network must be that
        network (by id or name)."""
        wanted = zone_data.get('management_network')
        if wanted is None:
            return
        mgmt = subnet(self.opts.management_subnet)
        if wanted not in (mgmt.network_id, mgmt.network_name):
            raise exceptions.InvalidInput(
                'availability_zone_data.management_network', wanted,
                'The netns network driver plugs every machine into its one '
                'management network, %s (%s).' % (mgmt.network_id,
                                                 mgmt.network_name))

    def create_management_port(self, kind, entity_id,
                               availability_zone=None):
        # The zone's management_network can only be this one
        # (validate_availability_zone).
        mgmt = subnet(self.opts.management_subnet)
        owner = 'mgmt:%s' % entity_id
        found = self._ports(owner)
        if found:
            port_id, address = found[0]
        else:
            address, port_id = ipam.allocate(mgmt, owner)
        try:
            bridge = self.ensure_network(mgmt)
        except Exception:
            self.unplug_port(port_id)
            raise
        return ports.Port(
            id=port_id, network_id=mgmt.network_id, subnet_id=mgmt.id,
            ip_address=address, mac_address=links.mac_for(self.prefix,
                                                          port_id),
            cidr=mgmt.cidr, mtu=mgmt.mtu, gateway=mgmt.gateway_ip,
            device='p' + links.short(self.prefix, port_id),
            binding={'bridge': bridge, 'host_device': links.veth_name(
                self.prefix, port_id)})

    def delete_management_port(self, entity_id):
        self.unplug_owner('mgmt:%s' % entity_id)

    def plug_amphora(self, amphora, subnet, session=None):
        port = self.plug_port(
            links.namespace_name(self.prefix, amphora.compute_id), subnet,
            'amphora:' + amphora.id, session=session)
        return port

    def plug_member_network(self, amphora, subnet, session=None):
        """A port on a member network (owner 'member:<amphora>:<subnet>'),
        idempotent per amphora and subnet."""
        owner = 'member:%s:%s' % (amphora.id, subnet.id)
        return self._existing(owner, session) or self.plug_port(
            links.namespace_name(self.prefix, amphora.compute_id), subnet,
            owner, session=session)

    def plug_distributor(self, distributor, subnet, session=None):
        """A distributor's port on a VIP network (owner
        'distributor:<id>'); its MAC goes in the distributor agent's VIP
        plug request.  Idempotent per (distributor, subnet)."""
        owner = 'distributor:%s:%s' % (distributor.id, subnet.id)
        return self._existing(owner, session) or self.plug_port(
            links.namespace_name(self.prefix, distributor.compute_id),
            subnet, owner, session=session)

    def unplug_distributor(self, distributor, session=None):
        self._unplug_like('distributor:%s:%%' % distributor.id, session)

    def _unplug_like(self, pattern, session=None):
        with db_api.in_session(session) as s:
            owners = alloc_q.owners_like(s, pattern)
            for owner in owners:
                self.unplug_owner(owner, session=s)

    def _existing(self, owner, session=None):
        """The port already plugged for owner, or None."""
        ports = self._ports(owner, session)
        if not ports:
            return None
        port_id, ip = ports[0]
        return {'ip': ip, 'port_id': port_id,
                'mac': links.mac_for(self.prefix, port_id),
                'interface': 'p' + links.short(self.prefix, port_id)}

    def _ports(self, owner, session=None):
        with db_api.in_session(session) as s:
            return [(r.port_id, r.ip_address)
                    for r in alloc_q.of_owner(s, owner)]

    def unplug_amphora(self, amphora, session=None):
        self.unplug_owner('amphora:' + amphora.id, session=session)
        self._unplug_like('member:%s:%%' % amphora.id, session)


def subnet(name):
    """A declared subnet by name (offered or not, like management)."""
    try:
        return subnets.declared(name)
    except ValueError:
        raise ValueError('unknown subnet %s: declare [subnet:%s] with its '
                         'cidr' % (name, name))
