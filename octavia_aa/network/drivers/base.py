"""Network driver interface: VIP addresses and amphora network ports."""
import abc


class NetworkDriver(metaclass=abc.ABCMeta):

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
        from octavia_aa.network import ipam
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
