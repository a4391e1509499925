"""What the network drivers of this host (netns, noop) share: subnets
and networks from the operator's configured catalogue
(octavia_aa.network.subnets) and addresses from the database IPAM
(octavia_aa.network.ipam).  A cloud driver asks its network service
instead and does not use this module."""
from octavia_aa.network import ipam
from octavia_aa.network import subnets as catalogue
from octavia_aa.network.drivers import base


class LocalNetworkDriver(base.NetworkDriver):

    def get_subnet(self, ref, address=None):
        return catalogue.find(ref)

    def network_subnets(self, network_ref):
        return [s for s in catalogue.all_subnets()
                if network_ref in (s.network_id, s.network_name)]

    def subnet_containing(self, address):
        return catalogue.containing(address)

    def list_subnets(self):
        return list(catalogue.all_subnets())

    def list_networks(self):
        return catalogue.networks()

    def get_network(self, network_ref):
        nets = [n for n in catalogue.networks(
            self.network_subnets(network_ref)) if n['id'] == network_ref]
        return nets[0] if nets else None

    def allocate_vip(self, load_balancer_id, subnet, ip_address=None,
                     session=None):
        # The VIP is only an address: the distributor (or the amphorae
        # with ARP) carry it, there is no port device for it.
        address, port_id = ipam.allocate(subnet, 'vip:' + load_balancer_id,
                                         ip_address, session=session)
        return {'ip_address': address, 'port_id': port_id,
                'network_id': subnet.network_id, 'subnet_id': subnet.id}

    def deallocate_vip(self, port_id, session=None):
        ipam.release(port_id, session=session)

    def release_port(self, port_id):
        ipam.release(port_id)
