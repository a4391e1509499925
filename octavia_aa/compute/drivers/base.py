"""Compute driver interface: the machines (VMs, namespaces) that run an
amphora or a distributor agent."""
import abc


class ComputeDriver(metaclass=abc.ABCMeta):

    def prepare(self):
        """Make what every machine needs exist before the first build
        (called on start by octavia-aa-all; idempotent)."""

    @abc.abstractmethod
    def build(self, name, kind, entity_id, vrrp=None,
              availability_zone=None):
        """Start a machine for an amphora or distributor (`kind`);
        returns its compute id.  Does not wait for it to boot.  vrrp:
        dict(priority, virtual_router_id) for a distributor of a VRRP
        pair (its agent runs keepalived on the management network).
        availability_zone: the data of the load balancer's availability
        zone profile (compute_zone, management_network, ...), or None."""

    def validate_availability_zone(self, zone_data):
        """Refuse (exceptions.InvalidInput naming the key) what this driver
        could not honour in an availability zone profile's data; called
        when the profile is written.  By default everything is honoured."""

    @abc.abstractmethod
    def wait_active(self, compute_id):
        """Block until the machine is up; returns dict(lb_network_ip)."""

    @abc.abstractmethod
    def delete(self, compute_id):
        """Destroy the machine (idempotent: an unknown id is not an
        error, so reverts and retries are safe)."""

    @abc.abstractmethod
    def status(self, compute_id):
        """'ACTIVE', 'BUILDING', 'ERROR' or 'DELETED'."""
