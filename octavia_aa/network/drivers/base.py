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

    @abc.abstractmethod
    def plug_amphora(self, amphora, subnet, session=None):
        """Give an amphora a front-end port on subnet; returns dict(ip,
        mac, port_id)."""

    @abc.abstractmethod
    def unplug_amphora(self, amphora, session=None):
        """Remove every port of the amphora (idempotent)."""
