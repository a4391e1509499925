"""Compute driver interface: the machines (VMs, namespaces) that run an
amphora or a distributor agent.

The controller hands a driver a whole octavia_aa.compute.spec.MachineSpec
(ports made by the network driver, boot files made by the controller); a
driver reads no database and no other driver's options.
"""
import abc

from octavia_aa.compute import boot_files


class ComputeDriver(metaclass=abc.ABCMeta):
    # False for a driver whose machines run no agent (noop): the
    # controller then makes no boot files (and needs no CA) for it.
    delivers_boot_files = True

    def prepare(self):
        """Make what every machine needs exist before the first build
        (called on start by the worker and octavia-aa-all; idempotent)."""

    def boot_layout(self, kind, entity_id):
        """Where on the machine the agent finds its boot files
        (boot_files.Layout): by default the image's paths, which a config
        drive delivers."""
        return boot_files.IMAGE_LAYOUTS[kind]

    @abc.abstractmethod
    def build(self, spec):
        """Start the machine of `spec` (a MachineSpec) with its ports
        attached and its boot files delivered; returns its compute id.
        Does not wait for it to boot.  A retried build of a machine that
        runs returns the same id."""

    def validate_availability_zone(self, zone_data):
        """Refuse (exceptions.InvalidInput naming the key) what this driver
        could not honour in an availability zone profile's data (its
        compute keys); called when the profile is written.  By default
        everything is honoured."""

    @abc.abstractmethod
    def wait_active(self, compute_id):
        """Block until the machine is up; returns dict(lb_network_ip)."""

    @abc.abstractmethod
    def delete(self, compute_id):
        """Destroy the machine (idempotent: an unknown id is not an
        error, so reverts and retries are safe).  Its ports are the
        network driver's to delete."""

    @abc.abstractmethod
    def status(self, compute_id):
        """'ACTIVE', 'BUILDING', 'ERROR' or 'DELETED'."""

    @abc.abstractmethod
    def create_server_group(self, name, policy='anti-affinity'):
        """A server group (Nova's) whose members the scheduler keeps
        apart; returns its id, for MachineSpec.server_group_id."""

    @abc.abstractmethod
    def delete_server_group(self, server_group_id):
        """Delete the group (idempotent)."""
