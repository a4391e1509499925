"""Amphora driver interface: what the controller asks of an amphora agent.

Calls set state rather than apply deltas (DESIGN.md "The cluster manager
reconciles"): `update_config` always sends the whole desired configuration
of the load balancer, so a retried or resumed flow is harmless.
"""
import abc

from octavia_aa import topology
from octavia_aa.common import constants as c


class AmphoraDriver(metaclass=abc.ABCMeta):
    # What this data plane serves; the API refuses the rest at request
    # time (octavia_aa.api.support) instead of accepting what would be
    # dropped.  The noop driver pretends to serve everything.
    listener_protocols = frozenset(c.LISTENER_PROTOCOLS)
    pool_protocols = frozenset(c.POOL_PROTOCOLS)
    # The ways of holding a VIP (octavia_aa.topology VIP_BY_*) this data
    # plane can play its part in; a topology whose vip_holder is not
    # among them is refused.
    vip_holders = frozenset({topology.VIP_BY_AMPHORA, topology.VIP_BY_VRRP,
                             topology.VIP_BY_DISTRIBUTOR})

    @abc.abstractmethod
    def wait_for_agent(self, amphora):
        """Block until the agent of a booted amphora answers."""

    @abc.abstractmethod
    def finalize(self, amphora):
        """Last step of a build (certificates in place, agent configured)."""

    @abc.abstractmethod
    def plug_vip(self, amphora, vip, arp):
        """Bring the VIP up on the amphora's front-end port.

        vip: dict(ip_address, subnet_cidr, gateway, mtu, mac).  arp=False
        when a distributor owns the VIP on the wire (ACTIVE_ACTIVE): the
        amphora accepts traffic for it but never answers ARP/ND for it.
        vip['vrrp'] true (ACTIVE_STANDBY): the address is left to
        keepalived (configure_vrrp), HAProxy may bind it meanwhile.
        """

    @abc.abstractmethod
    def update_config(self, amphora, config, peers=None):
        """Install the whole load-balancer configuration (a dict built by
        octavia_aa.controller.worker.lb_config) and reload HAProxy.
        peers: [(amphora_id, lb_network_ip)] of the amphora's peer group
        (the topology's peer_group: the amphorae it syncs stick tables
        with, itself included), None or [] for none.  The driver reads no
        database: what it needs comes in the arguments."""

    @abc.abstractmethod
    def configure_vrrp(self, amphora, peers, priority, vip=None):
        """Set up keepalived (ACTIVE_STANDBY): peers are the other
        amphorae's vrrp addresses; vip as for plug_vip."""

    @abc.abstractmethod
    def reload(self, amphora):
        """Reload HAProxy with the configuration it already has."""

    @abc.abstractmethod
    def get_stats(self, amphora):
        """Per listener counters: {listener_id: {bytes_in, bytes_out,
        active_connections, total_connections, request_errors}}."""

    @abc.abstractmethod
    def update_agent_config(self, amphora, agent_config):
        """Push a new agent configuration (heartbeat targets, key...)."""

    # Not abstract: drivers written before these existed keep working.
    def plug_network(self, amphora, port, subnet_cidr, mtu=None):
        """Bring up a member-network port (dict(ip, mac) from the network
        driver) inside the amphora."""
        raise NotImplementedError

    def delete_config(self, amphora, load_balancer_id):
        """Stop and remove the load balancer's HAProxy (idempotent)."""
        raise NotImplementedError

    def release_vrrp(self, amphora):
        """Stop keepalived on an amphora that leaves its pair: the peer
        takes the VIP over at once (idempotent)."""
        raise NotImplementedError

    def drain(self, amphora):
        """Before the amphora leaves its cluster: every HTTP keep-alive
        connection closes after its next response (idempotent)."""
        raise NotImplementedError

    def update_server_cert(self, amphora, pem):
        """Replace the agent's server certificate (certificate and key in
        one PEM) before it expires; new connections present it."""
        raise NotImplementedError
