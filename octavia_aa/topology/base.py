"""What a topology decides.  Flow pieces are lists of Taskflow atoms that
the generic flows in octavia_aa.controller.worker.flows splice in; every
piece reads its inputs from the flow store (load_balancer_id, ...)."""
import abc

from octavia_aa.common import constants as c


class Topology(metaclass=abc.ABCMeta):
    name = None
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
    def hold_vip(self, prefix):
        """Atoms that make the built amphorae serve the VIP."""

    def release_vip(self):
        """Atoms run before the amphorae of a deleted LB go."""
        return []

    def replacement_role(self, lb, failed):
        """Role of the amphora that replaces `failed`."""
        return failed.role

    def join(self, prefix, new_amphora_key, failed_role, failed_id):
        """Atoms after a replacement is built (store key of its id)."""
        return self.hold_vip(prefix)

    def leave(self, prefix, failed_id):
        """Atoms before the failed amphora is deleted."""
        return []

    def failover_order(self, amphorae):
        """Order of a rolling load-balancer failover."""
        return list(amphorae)

    def resize_plan(self, lb):
        """(roles to add, amphora ids to remove) to reach the cluster's
        desired size."""
        raise ValueError('topology %s has no cluster to resize' % self.name)

    def remove(self, prefix, amphora_id):
        """Atoms that take a still-working amphora out of service."""
        return []

    def drain(self, amphora_ids, prefix='drain'):
        """Atoms that let serving amphorae's connections end before
        they are taken out (a smaller cluster, a rolling failover)."""
        return []

    @abc.abstractmethod
    def expected_amphorae(self, lb):
        """How many amphorae the load balancer should have."""

    def roll_up(self, lb, online):
        """(LB operating status, cluster operating status or None) from
        the list of ONLINE amphorae."""
        expected = self.expected_amphorae(lb)
        if len(online) >= expected:
            return c.ONLINE, None
        if online:
            return c.DEGRADED, None
        return c.ERROR, None
