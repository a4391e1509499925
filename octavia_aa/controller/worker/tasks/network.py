"""Network tasks: an amphora's front-end and member ports and the VIP
reservation."""
from octavia_aa.common import drivers
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import models


def vip_of(lb):
    """The VIP as drivers want it: address plus its subnet's facts."""
    vip = lb.vip
    subnet = (drivers.get('network').get_subnet(
        vip.subnet_id, address=vip.ip_address)
        if vip and vip.subnet_id else None)
    if subnet is None:
        raise ValueError('load balancer %s has no VIP on a known subnet'
                         % lb.id)
    return subnet, {'ip_address': vip.ip_address, 'port_id': vip.port_id,
                    'subnet_id': subnet.id,
                    'network_id': vip.network_id or subnet.network_id,
                    'subnet_cidr': subnet.cidr,
                    'gateway': subnet.gateway_ip, 'mtu': subnet.mtu}


def member_subnets(lb):
    """The subnets the load balancer's members live on, other than the
    VIP's (the front-end port already reaches those)."""
    network = drivers.get('network')
    found = {}
    for pool in lb.pools:
        for member in pool.members:
            subnet = (network.get_subnet(member.subnet_id,
                                         address=member.ip_address)
                      if member.subnet_id
                      else network.subnet_containing(member.ip_address))
            if subnet is not None:
                found[subnet.id] = subnet
    if lb.vip is not None:
        found.pop(lb.vip.subnet_id, None)
    return [found[k] for k in sorted(found)]


def plug_member_networks(amphorae, member_subnets):
    """Give every amphora a port on every member subnet (idempotent: an
    amphora already plugged keeps its port and address)."""
    network = drivers.get('network')
    amphora_driver = drivers.get('amphora')
    for amp in amphorae:
        for subnet in member_subnets:
            port = network.plug_member_network(amp, subnet)
            if port is not None:
                amphora_driver.plug_network(amp, port, subnet.cidr,
                                            subnet.mtu)


class PlugAmphoraPort(base.Task):
    """A front-end address for the amphora on the VIP's subnet.

    The words are upstream Octavia's: the amphora's own port goes to
    `vrrp_port_id` and its address to `vrrp_ip`; the VIP the cluster
    shares goes to `ha_ip` and the VIP's port to `ha_port_id`.  The MAC
    the distributor forwards to goes into `frontend_mac`.
    """

    def execute(self, amphora_id, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            subnet, vip = vip_of(lb)
            amp = session.get(models.Amphora, amphora_id)
        port = drivers.get('network').plug_amphora(amp, subnet)
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            amp.vrrp_ip = port['ip']
            amp.vrrp_port_id = port['port_id']
            amp.frontend_mac = port['mac']
            amp.ha_ip = vip['ip_address']
            amp.ha_port_id = vip['port_id']

    def revert(self, amphora_id, *args, **kwargs):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
        if amp is not None:
            drivers.get('network').unplug_amphora(amp)


class UnplugAmphora(base.Task):

    def execute(self, amphora_id):
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
        if amp is not None:
            drivers.get('network').unplug_amphora(amp)


class DeallocateVip(base.Task):

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            vip = session.get(models.Vip, load_balancer_id)
            port_id = vip.port_id if vip else None
        if port_id:
            drivers.get('network').deallocate_vip(port_id)
