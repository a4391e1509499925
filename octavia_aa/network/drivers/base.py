"""Network driver interface: the subnets and networks users name, VIP
addresses and amphora network ports."""
import abc

from octavia_aa.network import ipam
from octavia_aa.network import subnets as catalogue


class NetworkDriver(metaclass=abc.ABCMeta):

    # --- subnets and networks: the configured catalogue by default (the
    # netns and noop drivers'); a cloud driver asks its network service.
    def get_subnet(self, ref, address=None):
        """The Subnet with this id (or name), or None.  `address`, when
        known, is an address on it (a driver that fabricates subnets
        derives the CIDR from it)."""
        return catalogue.find(ref)

    def network_subnets(self, network_ref):
        """The subnets of the network with this id (or name), [] if
        none."""
        return [s for s in catalogue.all_subnets()
                if network_ref in (s.network_id, s.network_name)]

    def subnet_containing(self, address):
        """A known subnet whose CIDR holds `address`, or None."""
        return catalogue.containing(address)

    def list_subnets(self):
        return list(catalogue.all_subnets())

    def list_networks(self):
        """Neutron-shaped network dicts."""
        return catalogue.networks()

    @abc.abstractmethod
    def allocate_vip(self, load_balancer_id, subnet, ip_address=None,
                     session=None):
        """Reserve the VIP; returns dict(ip_address, port_id, network_id,
        subnet_id).  With a session, the reservation is part of the
        caller's transaction."""

    @abc.abstractmethod
    def deallocate_vip(self, port_id, session=None):
        """Release the VIP reservation (idempotent)."""

    def release_port(self, port_id):
        """Free one allocation whose owner is gone (the housekeeping
        sweep), with whatever the driver made for it (idempotent)."""
        ipam.release(port_id)

    @abc.abstractmethod
    def plug_amphora(self, amphora, subnet, session=None):
        """Give an amphora a front-end port on subnet; returns dict(ip,
        mac, port_id)."""

    @abc.abstractmethod
    def unplug_amphora(self, amphora, session=None):
        """Remove every port of the amphora (idempotent)."""

    def plug_member_network(self, amphora, subnet, session=None):
        """A port for the amphora on a member subnet (idempotent per
        amphora and subnet); returns dict(ip, mac, port_id) or None when
        the driver plugs nothing."""
        return None

    def plug_distributor(self, distributor, subnet, session=None):
        """The distributor's port on a VIP subnet (idempotent); returns
        dict(ip, mac, port_id) or None when the driver plugs nothing."""
        return None

    def unplug_distributor(self, distributor, session=None):
        """Remove every port of the distributor (idempotent)."""
