"""Compute driver interface: the machines (VMs, namespaces) that run an
amphora or a distributor agent."""
import abc


class ComputeDriver(metaclass=abc.ABCMeta):

    @abc.abstractmethod
    def build(self, name, kind, entity_id):
        """Start a machine for an amphora or distributor (`kind`);
        returns its compute id.  Does not wait for it to boot."""

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
