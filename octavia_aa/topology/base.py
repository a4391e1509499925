"""What a topology decides.  Every method answers a question from plain
objects (rows or anything with the same attributes); the worker's flows
build the Taskflow atoms from the answers."""
import abc

from octavia_aa.common import constants as c

# vip_holder values.
VIP_BY_AMPHORA = 'AMPHORA'          # the one amphora answers ARP for it
VIP_BY_VRRP = 'VRRP'                # keepalived moves it between amphorae
VIP_BY_DISTRIBUTOR = 'DISTRIBUTOR'  # a distributor answers ARP and spreads
                                    # flows; the amphorae take it ARP-off


class Topology(metaclass=abc.ABCMeta):
    name = None
    # How the VIP is held on the wire (one of the VIP_BY_* values).
    vip_holder = VIP_BY_AMPHORA
    # Whether its amphorae go in one anti-affinity server group, so one
    # compute host failing takes no more than one of them.
    anti_affinity = False
    # The protocols this topology can serve (the amphora driver says
    # which of them its data plane does).
    listener_protocols = frozenset(c.LISTENER_PROTOCOLS)
    pool_protocols = frozenset(c.POOL_PROTOCOLS)

    def new_cluster(self, lb, settings):
        """The cluster row a new load balancer gets (settings: the flavor's
        octavia_aa.common.flavors.Settings), or None."""
        return None

    @abc.abstractmethod
    def amphora_roles(self, lb):
        """Roles of the amphorae a new load balancer gets, one per
        amphora."""

    @abc.abstractmethod
    def expected_amphorae(self, lb):
        """How many amphorae the load balancer should have."""

    def peer_group(self, amphora, amphorae):
        """The amphorae (of `amphorae`, the load balancer's serving ones)
        `amphora` syncs its HAProxy stick tables with, itself included;
        [] for none."""
        return []

    def limit_sharers(self, amphorae):
        """The amphorae (of the serving `amphorae`) over which a
        listener's connection_limit is divided (controller/worker/
        limits.py); [] when one amphora serves at a time and each gets
        the whole limit."""
        return []

    def replacement_role(self, lb, failed):
        """Role of the amphora that replaces `failed`."""
        return failed.role

    def failover_order(self, amphorae):
        """Order of a rolling load-balancer failover."""
        return list(amphorae)

    def resize_plan(self, lb):
        """(roles to add, amphora ids to remove) to reach the cluster's
        desired size."""
        raise ValueError('topology %s has no cluster to resize' % self.name)

    def roll_up(self, lb, online):
        """(LB operating status, cluster operating status or None) from
        the list of ONLINE amphorae."""
        expected = self.expected_amphorae(lb)
        if len(online) >= expected:
            return c.ONLINE, None
        if online:
            return c.DEGRADED, None
        return c.ERROR, None
