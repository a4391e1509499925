"""Controller-side interface to a distributor (DESIGN.md "Drivers").

Every call sets state (idempotent) and returns what the distributor now
holds, so the caller can store registration positions.

Positions drive the slot table (distributor_agent/slots.py): the table is
a pure function of the active positions, so

* keep active positions contiguous (0..N-1); the "+1" standby gets any
  other position and role ``STANDBY``;
* when the distributor fails amphora k (its probes, seen in heartbeats
  and status), k's slots go to the standby at once;
* to replace k, register the standby with role ``ACTIVE`` at k's
  position: k is dropped and *no slot moves*; then register the rebuilt
  amphora as the new ``STANDBY``;
* a failed or drained amphora gets its slots back only through
  ``activate_amphora``;
* ``register_amphorae(..., exclusive=True)`` makes the call the full
  desired set (unlisted amphorae are unregistered).
"""
import abc


class DistributorUnreachable(Exception):
    """The distributor could not be reached (connection refused or timed
    out after the driver's own retries): it is dead or about to be found
    dead, unlike an answer that refuses the call.  Every driver raises
    this one type, whatever its transport, so the controller can skip the
    dead member of a VRRP pair."""


class DistributorDriver(metaclass=abc.ABCMeta):
    # The name of a distributor row the controller makes on demand when
    # no ACTIVE distributor has room, for a driver that talks to no
    # machine (noop); None: distributors are machines, built through the
    # compute driver, and the controller waits for one.
    implicit_distributor = None

    def alive(self, distributor):
        """Whether the distributor's agent answers at all, within a
        short timeout and without retries (its VRRP peer said it took
        over from it)."""
        return True

    @abc.abstractmethod
    def plug_vip(self, distributor, load_balancer_id, vip_address,
                 subnet_cidr, gateway, mac_address=None,
                 affinity='SOURCE_IP', probe_port=None):
        """Make the distributor answer ARP/ND for the VIP (on its port
        with mac_address) and forward it; amphorae are probed on
        probe_port."""

    @abc.abstractmethod
    def unplug_vip(self, distributor, load_balancer_id):
        """Stop answering for the VIP and drop its flow table."""

    @abc.abstractmethod
    def register_amphorae(self, distributor, load_balancer_id, amphorae,
                          exclusive=False):
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

    # Not abstract: drivers written before it existed keep working.
    def update_server_cert(self, distributor, pem):
        """Replace the agent's server certificate (certificate and key in
        one PEM) before it expires; new connections present it."""
        raise NotImplementedError
