"""Network driver: subnets, VIPs and machine ports from Neutron.

Everything goes through openstacksdk as the [service_auth] user, in its
(service) project.  Each port the driver makes carries its owner in its
description (`octavia-aa:<kind>:<id>`), so delete, revert and the
housekeeping sweep find every port of an entity by one filtered list,
even after a crash that kept its id from reaching the database.

Ports and what they must let through:

- VIP: a port that only reserves the address (no device); the address
  is carried by the amphorae and the distributors.
- management: on [neutron] management_network, attached by Nova when the
  server is built; security group `octavia-aa-mgmt` (neutron_sg).
- amphora front end: on the VIP subnet, with the VIP in its allowed
  address pairs: Neutron's anti-spoofing drops an amphora's replies
  whose source is the VIP otherwise.  The amphora never answers ARP for
  the VIP (the agent sets arp_ignore/arp_announce), so only the
  distributor draws the VIP's traffic.  Security group: the load
  balancer's (`octavia-aa-lb-<id>`: its listener ports, the probe port).
- member subnets: plain ports with the load balancer's group.
- distributor, VIP side: it answers ARP for every VIP it carries and
  forwards clients' frames to the amphorae unchanged except for the MACs,
  so its egress frames carry clients' source IPs.  Neutron's port
  security allows that either with allowed address pairs 0.0.0.0/0 (and
  ::/0) on the port, or with port security off on that port only
  ([neutron] distributor_port_security).  The default is port
  security off: with the openvswitch firewall, a port with port security
  on also gets conntrack and security-group filtering of the frames it
  forwards (a client's connection is seen entering the distributor's
  port and again leaving it), which port security off avoids.  NOT YET
  settled by experiment: the devcloud ACTIVE_ACTIVE run
  (tests/devcloud/test_active_active.py) has not passed yet, so neither
  setting is shown to carry traffic through a distributor.

Front-end, member and distributor ports are hot-plugged into running
servers (Nova interface attach); the agents find them by MAC.
"""
import ipaddress
import logging
import time

import openstack
from openstack import exceptions as sdk_exc

from octavia_aa.amphorae.drivers import rest_opts as amp_rest_opts
from octavia_aa.common import config
from octavia_aa.common import exceptions
from octavia_aa.common import service_auth
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.distributor.drivers import rest_opts as dist_rest_opts
from octavia_aa.network import ports
from octavia_aa.network import subnets
from octavia_aa.network.drivers import base
from octavia_aa.network.drivers import neutron_opts
from octavia_aa.network.drivers import neutron_sg as sg

LOG = logging.getLogger(__name__)
CONF = config.CONF
OWNER = 'octavia-aa:%s:%s'


class NeutronNetworkDriver(base.NetworkDriver):

    def __init__(self, conf=None):
        self.conf = conf or CONF
        self.opts = neutron_opts.register_opts(self.conf)
        self._conn = None

    @property
    def conn(self):
        # Made on first use: the API process may never need Neutron.
        if self._conn is None:
            self._conn = openstack.connection.Connection(
                session=service_auth.session(self.conf),
                region_name=self.opts.region_name,
                interface=self.opts.endpoint_type)
        return self._conn

    # --- subnets and networks ---------------------------------------------
    def _subnet(self, found, network=None):
        network = network or self.conn.network.get_network(
            found.network_id)
        pools = found.allocation_pools or [{'start': None, 'end': None}]
        return subnets.Subnet(
            id=found.id, name=found.name or found.id,
            network_id=found.network_id,
            network_name=network.name or network.id, cidr=found.cidr,
            gateway_ip=found.gateway_ip,
            allocation_start=pools[0]['start'],
            allocation_end=pools[-1]['end'], mtu=network.mtu or 1500)

    def get_subnet(self, ref, address=None):
        if not ref:
            return None
        found = self.conn.network.find_subnet(ref, ignore_missing=True)
        return self._subnet(found) if found is not None else None

    def network_subnets(self, network_ref):
        network = self.conn.network.find_network(network_ref,
                                                 ignore_missing=True)
        if network is None:
            return []
        return [self._subnet(s, network) for s in
                self.conn.network.subnets(network_id=network.id)]

    def subnet_containing(self, address):
        ip = ipaddress.ip_address(address)
        for found in self.conn.network.subnets(ip_version=ip.version):
            if ip in ipaddress.ip_network(found.cidr):
                return self._subnet(found)
        return None

    def list_subnets(self):
        nets = {n.id: n for n in self.conn.network.networks()}
        return [self._subnet(s, nets[s.network_id])
                for s in self.conn.network.subnets()
                if s.network_id in nets]

    def _net_dict(self, net):
        return {'id': net.id, 'name': net.name, 'status': net.status,
                'subnets': list(net.subnet_ids or []),
                'admin_state_up': net.is_admin_state_up,
                'shared': net.is_shared, 'mtu': net.mtu,
                'project_id': net.project_id, 'tenant_id': net.project_id,
                'router:external': net.is_router_external,
                'description': net.description or '', 'tags': []}

    def list_networks(self):
        return [self._net_dict(n) for n in self.conn.network.networks()]

    def get_network(self, network_ref):
        net = self.conn.network.find_network(network_ref,
                                             ignore_missing=True)
        return self._net_dict(net) if net is not None else None

    def validate_availability_zone(self, zone_data):
        for key in ('management_network',):
            ref = (zone_data or {}).get(key)
            if ref and self.conn.network.find_network(
                    ref, ignore_missing=True) is None:
                raise exceptions.InvalidInput(
                    'availability_zone_data.%s' % key, ref,
                    'Neutron has no such network.')

    # --- ports: the common part --------------------------------------------
    def _owned(self, owner):
        return list(self.conn.network.ports(description=owner))

    def _make_port(self, owner, name, subnet, ip_address=None, **attrs):
        """The port of `owner` called `name` (a retry finds it)."""
        for port in self._owned(owner):
            if port.name == name:
                return port
        fixed = {'subnet_id': subnet.id}
        if ip_address:
            fixed['ip_address'] = ip_address
        try:
            return self.conn.network.create_port(
                network_id=subnet.network_id, name=name, description=owner,
                fixed_ips=[fixed], **attrs)
        except sdk_exc.ConflictException as e:
            raise exceptions.Conflict(
                'Neutron refused a port on subnet %s%s: %s' % (
                    subnet.id, ' with address %s' % ip_address
                    if ip_address else '', e.details or e))
        except sdk_exc.BadRequestException as e:
            raise exceptions.InvalidInput(
                'vip_address' if ip_address else 'subnet_id',
                ip_address or subnet.id, str(e.details or e))

    def _delete_ports(self, owner):
        """Detach (when on a live server) and delete every port of
        owner; idempotent."""
        for port in self._owned(owner):
            if port.device_id and (port.device_owner or '').startswith(
                    'compute:'):
                try:
                    self.conn.compute.delete_server_interface(
                        port.id, server=port.device_id, ignore_missing=True)
                except sdk_exc.SDKException as e:
                    # The port delete below unbinds it anyway.
                    LOG.info('Detach of port %s from %s: %s', port.id,
                             port.device_id, e)
            self.conn.network.delete_port(port, ignore_missing=True)
        return True

    @staticmethod
    def _address(port, subnet_id=None):
        for fixed in port.fixed_ips:
            if subnet_id is None or fixed['subnet_id'] == subnet_id:
                return fixed['ip_address']
        return port.fixed_ips[0]['ip_address']

    def _attach(self, compute_id, port):
        """Hot-plug the port into the server; returns once Neutron says
        it is bound and up (the agent can then find it by MAC)."""
        if port.device_id != compute_id:
            self.conn.compute.create_server_interface(compute_id,
                                                      port_id=port.id)
        deadline = time.monotonic() + self.opts.attach_timeout
        pause = 0.5
        while True:
            port = self.conn.network.get_port(port.id)
            if port.device_id == compute_id and port.status == 'ACTIVE':
                return port
            if time.monotonic() + pause > deadline:
                raise exceptions.OctaviaAAError(
                    'Port %s not ACTIVE on server %s after %ss (%s)' % (
                        port.id, compute_id, self.opts.attach_timeout,
                        port.status))
            time.sleep(pause)
            pause = min(pause * 2, 5.0)

    def _plugged(self, port, subnet_id):
        return {'ip': self._address(port, subnet_id), 'mac':
                port.mac_address, 'port_id': port.id}

    # --- VIP ----------------------------------------------------------------
    def allocate_vip(self, load_balancer_id, subnet, ip_address=None,
                     session=None):
        owner = OWNER % ('vip', load_balancer_id)
        port = self._make_port(owner, 'octavia-aa-vip-' + load_balancer_id,
                               subnet, ip_address,
                               device_owner='octavia-aa:vip',
                               admin_state_up=False)
        return {'ip_address': self._address(port, subnet.id),
                'port_id': port.id, 'network_id': subnet.network_id,
                'subnet_id': subnet.id}

    def deallocate_vip(self, port_id, session=None):
        port = self.conn.network.find_port(port_id, ignore_missing=True)
        if port is None:
            return
        self.conn.network.delete_port(port, ignore_missing=True)
        # The load balancer's group goes with its VIP, or with its last
        # amphora port (unplug_amphora), whichever is last.
        kind, _, lb_id = (port.description or '').partition(':')[2] \
            .partition(':')
        if kind == 'vip' and lb_id:
            sg.delete(self.conn, sg.lb_name(lb_id))

    def release_port(self, port_id):
        self.conn.network.delete_port(port_id, ignore_missing=True)

    # --- management -------------------------------------------------------
    def _mgmt_subnet(self, availability_zone=None):
        net_ref = (availability_zone or {}).get('management_network') or \
            self.opts.management_network
        if not net_ref:
            raise exceptions.OctaviaAAError(
                'Set [neutron] management_network: the network machines '
                'get their first port on.')
        found = self.network_subnets(net_ref)
        if self.opts.management_subnet:
            found = [s for s in found if self.opts.management_subnet in
                     (s.id, s.name)]
        found = [s for s in found if s.ip_version == 4] or found
        if not found:
            raise exceptions.OctaviaAAError(
                'Management network %s has no subnet%s.' % (
                    net_ref, ' ' + self.opts.management_subnet
                    if self.opts.management_subnet else ''))
        return found[0]

    def management_group(self, mgmt=None):
        """`octavia-aa-mgmt`, with its rules brought up to date."""
        mgmt = mgmt or self._mgmt_subnet()
        group = sg.ensure(self.conn, sg.MGMT_NAME, 'octavia-aa agents: '
                          'REST from the controllers, VRRP and pin sync '
                          'between distributors')
        agent_ports = {amp_rest_opts.register_opts(self.conf).agent_port,
                       dist_rest_opts.register_opts(self.conf).agent_port}
        sg.set_ingress(self.conn, group, sg.management_rules(
            group.id, self.opts.controller_cidrs or [mgmt.cidr],
            agent_ports, self.opts.pin_sync_port))
        return group

    def prepare(self):
        if self.opts.management_network:
            self.management_group()

    def create_management_port(self, kind, entity_id,
                               availability_zone=None):
        mgmt = self._mgmt_subnet(availability_zone)
        group = self.management_group(mgmt)
        port = self._make_port(OWNER % ('mgmt', entity_id),
                               'octavia-aa-mgmt-%s-%s' % (kind, entity_id),
                               mgmt, security_group_ids=[group.id])
        return ports.Port(
            id=port.id, network_id=mgmt.network_id, subnet_id=mgmt.id,
            ip_address=self._address(port, mgmt.id),
            mac_address=port.mac_address, cidr=mgmt.cidr, mtu=mgmt.mtu,
            gateway=mgmt.gateway_ip)

    def delete_management_port(self, entity_id):
        self._delete_ports(OWNER % ('mgmt', entity_id))

    # --- amphorae ---------------------------------------------------------
    def update_load_balancer(self, load_balancer_id):
        self.sync_load_balancer(load_balancer_id)

    def sync_load_balancer(self, load_balancer_id):
        """The load balancer's security group, its ingress rules made
        from its listeners as the database has them now; returns it."""
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            listeners = list(lb.listeners) if lb is not None else []
            vip_subnet = lb.vip.subnet_id if lb and lb.vip else None
            rules_src = [(li.protocol, li.protocol_port,
                          list(li.allowed_cidrs or []))
                         for li in listeners]
        cidr = self.get_subnet(vip_subnet).cidr if vip_subnet else \
            '0.0.0.0/0'
        group = sg.ensure(self.conn, sg.lb_name(load_balancer_id),
                          'octavia-aa load balancer %s: its listeners'
                          % load_balancer_id)
        sg.set_ingress(self.conn, group, sg.listener_rules(
            [_Listener(*r) for r in rules_src], cidr,
            # A controller option (the driver may have its own conf).
            config.CONF.controller_worker.amphora_probe_port))
        return group

    def plug_amphora(self, amphora, subnet, session=None):
        with db_api.session_scope() as s:
            vip = s.get(models.Vip, amphora.load_balancer_id)
            vip_ip = vip.ip_address if vip is not None else None
        group = self.sync_load_balancer(amphora.load_balancer_id)
        port = self._make_port(
            OWNER % ('amphora', amphora.id), 'octavia-aa-amp-' + amphora.id,
            subnet, security_group_ids=[group.id],
            allowed_address_pairs=[{'ip_address': vip_ip}] if vip_ip
            else [])
        return self._plugged(self._attach(amphora.compute_id, port),
                             subnet.id)

    def plug_member_network(self, amphora, subnet, session=None):
        group = sg.ensure(self.conn, sg.lb_name(amphora.load_balancer_id),
                          'octavia-aa load balancer %s: its listeners'
                          % amphora.load_balancer_id)
        port = self._make_port(
            OWNER % ('amphora', amphora.id),
            'octavia-aa-member-%s-%s' % (amphora.id, subnet.id), subnet,
            security_group_ids=[group.id])
        return self._plugged(self._attach(amphora.compute_id, port),
                             subnet.id)

    def unplug_amphora(self, amphora, session=None):
        self._delete_ports(OWNER % ('amphora', amphora.id))
        if amphora.load_balancer_id:
            # Refused (and kept) while another amphora still uses it.
            sg.delete(self.conn, sg.lb_name(amphora.load_balancer_id))

    # --- distributors -----------------------------------------------------
    def plug_distributor(self, distributor, subnet, session=None):
        if self.opts.distributor_port_security == \
                neutron_opts.PORT_SECURITY_OFF:
            attrs = {'port_security_enabled': False}
        else:
            attrs = {'allowed_address_pairs': [{'ip_address': '0.0.0.0/0'},
                                               {'ip_address': '::/0'}]}
        port = self._make_port(
            OWNER % ('distributor', distributor.id),
            'octavia-aa-dist-%s-%s' % (distributor.id, subnet.id), subnet,
            **attrs)
        return self._plugged(self._attach(distributor.compute_id, port),
                             subnet.id)

    def unplug_distributor(self, distributor, session=None):
        self._delete_ports(OWNER % ('distributor', distributor.id))


class _Listener:
    """What a security group rule needs of a listener, read inside the
    session."""

    def __init__(self, protocol, protocol_port, allowed_cidrs):
        self.protocol = protocol
        self.protocol_port = protocol_port
        self.allowed_cidrs = allowed_cidrs
