"""Network driver interface: the subnets and networks users name, VIP
addresses and the ports of amphorae and distributors.

A cloud driver (Neutron) implements every abstract method by asking its
network service; the drivers of this host (netns, noop) share
octavia_aa.network.drivers.local, which answers from the configured
subnet catalogue and the database IPAM.
"""
import abc


class NetworkDriver(metaclass=abc.ABCMeta):

    # --- subnets and networks (the API resolves every reference here) ---
    @abc.abstractmethod
    def get_subnet(self, ref, address=None):
        """The octavia_aa.network.subnets.Subnet with this id (or name),
        or None.  `address`, when known, is an address on it (a driver
        that fabricates subnets derives the CIDR from it)."""

    @abc.abstractmethod
    def network_subnets(self, network_ref):
        """The subnets of the network with this id (or name), [] if
        none."""

    @abc.abstractmethod
    def subnet_containing(self, address):
        """A known subnet whose CIDR holds `address`, or None."""

    @abc.abstractmethod
    def list_subnets(self):
        """Every Subnet the users may name."""

    @abc.abstractmethod
    def list_networks(self):
        """Neutron-shaped network dicts."""

    @abc.abstractmethod
    def get_network(self, network_ref):
        """The Neutron-shaped dict of the network with this id, or
        None."""

    def validate_availability_zone(self, zone_data):
        """Refuse (exceptions.InvalidInput naming the key) the network
        keys of an availability zone profile's data this driver could not
        honour (management_network, valid_vip_networks); called when the
        profile is written.  By default everything is honoured."""

    # --- VIP ------------------------------------------------------------
    @abc.abstractmethod
    def allocate_vip(self, load_balancer_id, subnet, ip_address=None,
                     session=None):
        """Reserve the VIP; returns dict(ip_address, port_id, network_id,
        subnet_id).  With a session (local drivers), the reservation is
        part of the caller's transaction."""

    @abc.abstractmethod
    def deallocate_vip(self, port_id, session=None):
        """Release the VIP reservation (idempotent)."""

    @abc.abstractmethod
    def release_port(self, port_id):
        """Free one allocation whose owner is gone (the housekeeping
        sweep), with whatever the driver made for it (idempotent)."""

    # --- ports of amphorae and distributors --------------------------------
    def prepare(self):
        """Make what the machines' networks need exist before the first
        build (called on start by the worker and octavia-aa-all;
        idempotent)."""

    @abc.abstractmethod
    def create_management_port(self, kind, entity_id,
                               availability_zone=None):
        """The port on the management network of the machine of an
        amphora or distributor (`kind`, `entity_id`), made before the
        machine is built, for the compute driver to attach; returns an
        octavia_aa.network.ports.Port.  Idempotent per entity.
        availability_zone: the zone profile's data (its
        management_network, when set, names the network), or None."""

    @abc.abstractmethod
    def delete_management_port(self, entity_id):
        """Delete the management port of the entity's machine
        (idempotent), once the machine is gone or was never built."""

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

    def update_load_balancer(self, load_balancer_id):
        """Bring what the driver keeps per load balancer up to date with
        its configuration in the database (a cloud's security group
        opening exactly its listener ports); called before every
        configuration push to its amphorae.  Nothing by default."""
