"""Controller-side interface to a distributor (DESIGN.md "Drivers").

Every call sets state (idempotent) and returns what the distributor now
holds, so the caller can store registration positions.
"""
import abc


class DistributorDriver(metaclass=abc.ABCMeta):

    @abc.abstractmethod
    def plug_vip(self, distributor, load_balancer_id, vip_address,
                 subnet_cidr, gateway, mac_address=None,
                 affinity='SOURCE_IP'):
        """Make the distributor answer ARP/ND for the VIP and forward it."""

    @abc.abstractmethod
    def unplug_vip(self, distributor, load_balancer_id):
        """Stop answering for the VIP and drop its flow table."""

    @abc.abstractmethod
    def register_amphorae(self, distributor, load_balancer_id, amphorae):
        """Register amphorae (dicts: id, mac, ip, role, optional position).

        Returns {'amphorae': [{id, mac, ip, role, position}, ...],
                 'digest': '<slot table digest>'}.
        """

    @abc.abstractmethod
    def unregister_amphorae(self, distributor, load_balancer_id,
                            amphora_ids):
        """Remove amphorae; returns the same shape as register_amphorae."""

    @abc.abstractmethod
    def drain_amphora(self, distributor, load_balancer_id, amphora_id):
        """No new flows to the amphora; established flows keep going."""

    @abc.abstractmethod
    def activate_amphora(self, distributor, load_balancer_id, amphora_id):
        """Undo drain or a probe failure: the amphora gets its slots back
        (the distributor never does this on its own)."""

    @abc.abstractmethod
    def get_status(self, distributor, load_balancer_id=None):
        """Status and counters per VIP and per amphora."""
