"""Network driver that allocates addresses (real IPAM rows) but plugs
nothing."""
import hashlib

from oslo_utils import uuidutils

from octavia_aa.network import ipam
from octavia_aa.network import subnets
from octavia_aa.network.drivers import base


def _fake_mac(seed):
    digest = hashlib.sha256(seed.encode()).digest()
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(digest[:3])


class NoopNetworkDriver(base.NetworkDriver):
    """Any subnet or network id is accepted, as by upstream's noop
    driver: one not in the catalogue is fabricated (its CIDR from the
    address given with it), so the whole API can be driven without a
    network service."""

    def get_subnet(self, ref, address=None):
        found = super().get_subnet(ref)
        if found is None and uuidutils.is_uuid_like(ref):
            found = subnets.fabricate(ref, address=address)
        return found

    def network_subnets(self, network_ref):
        found = super().network_subnets(network_ref)
        if not found and uuidutils.is_uuid_like(network_ref):
            found = [subnets.fabricate(
                subnets.fabricated_subnet_id(network_ref), network_ref)]
        return found

    def allocate_vip(self, load_balancer_id, subnet, ip_address=None,
                     session=None):
        address, port_id = ipam.allocate(subnet, 'vip:' + load_balancer_id,
                                         ip_address, session=session)
        return {'ip_address': address, 'port_id': port_id,
                'network_id': subnet.network_id, 'subnet_id': subnet.id}

    def deallocate_vip(self, port_id, session=None):
        ipam.release(port_id, session=session)

    def plug_amphora(self, amphora, subnet, session=None):
        address, port_id = ipam.allocate(subnet, 'amphora:' + amphora.id,
                                         session=session)
        return {'ip': address, 'port_id': port_id,
                'mac': _fake_mac(amphora.id)}

    def unplug_amphora(self, amphora, session=None):
        # By owner, not by vrrp_port_id: an address allocated before a
        # crash that kept vrrp_port_id from being written goes as well.
        ipam.release_owner('amphora:' + amphora.id, session=session)

