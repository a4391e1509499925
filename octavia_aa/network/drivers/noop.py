"""Network driver that allocates addresses (real IPAM rows) but plugs
nothing."""
import hashlib
import uuid

from oslo_utils import uuidutils

from octavia_aa.network import ipam
from octavia_aa.network import ports
from octavia_aa.network import subnets
from octavia_aa.network.drivers import local


def _fake_mac(seed):
    digest = hashlib.sha256(seed.encode()).digest()
    return 'fa:16:3e:%02x:%02x:%02x' % tuple(digest[:3])


class NoopNetworkDriver(local.LocalNetworkDriver):
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

    def plug_amphora(self, amphora, subnet, session=None):
        address, port_id = ipam.allocate(subnet, 'amphora:' + amphora.id,
                                         session=session)
        return {'ip': address, 'port_id': port_id,
                'mac': _fake_mac(amphora.id)}

    def unplug_amphora(self, amphora, session=None):
        # By owner, not by vrrp_port_id: an address allocated before a
        # crash that kept vrrp_port_id from being written goes as well.
        ipam.release_owner('amphora:' + amphora.id, session=session)

    def create_management_port(self, kind, entity_id,
                               availability_zone=None):
        # No address is allocated: the noop compute driver makes up the
        # management address itself.
        return ports.Port(
            id=str(uuid.uuid5(uuid.NAMESPACE_OID, 'mgmt:%s' % entity_id)),
            network_id='', subnet_id='', ip_address='169.254.0.1',
            mac_address=_fake_mac('mgmt:%s' % entity_id),
            cidr='169.254.0.0/16')

    def delete_management_port(self, entity_id):
        pass
