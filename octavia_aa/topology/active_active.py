"""ACTIVE_ACTIVE: desired_size IN_CLUSTER amphorae plus standby_count
IN_CLUSTER_STANDBY ones (the "+1") behind a distributor that owns the VIP
on the wire and spreads flows over them by registration position."""
from octavia_aa.amphorae.haproxy import peers
from octavia_aa.common import constants as c
from octavia_aa.db import models
from octavia_aa.topology import base

_ORDER = {c.ROLE_IN_CLUSTER_STANDBY: 0, c.ROLE_IN_CLUSTER: 1}


def _cluster(lb):
    if lb.cluster is None:
        raise ValueError('ACTIVE_ACTIVE load balancer %s has no cluster row'
                         % lb.id)
    return lb.cluster


class ActiveActive(base.Topology):
    name = c.TOPOLOGY_ACTIVE_ACTIVE
    # Amphorae take the VIP with ARP off; the distributor answers for it
    # and forwards each flow to the amphora owning its slot.
    vip_holder = base.VIP_BY_DISTRIBUTOR
    anti_affinity = True

    def new_cluster(self, lb, settings):
        # The row exists from the start so the API can show and resize the
        # cluster before the worker has built anything.
        return models.Cluster(
            cluster_name='cluster-%s' % lb.id,
            desired_size=settings.desired_size, min_size=settings.min_size,
            standby_count=settings.standby_count,
            cooldown=settings.cooldown, affinity=settings.affinity)

    def amphora_roles(self, lb):
        cluster = _cluster(lb)
        return ([c.ROLE_IN_CLUSTER] * cluster.desired_size +
                [c.ROLE_IN_CLUSTER_STANDBY] * cluster.standby_count)

    def expected_amphorae(self, lb):
        cluster = _cluster(lb)
        return cluster.desired_size + cluster.standby_count

    def replacement_role(self, lb, failed):
        # The replacement always becomes the standby when the cluster has
        # one; PromoteStandby moves the old standby into the failed place.
        if _cluster(lb).standby_count > 0:
            return c.ROLE_IN_CLUSTER_STANDBY
        return c.ROLE_IN_CLUSTER

    def peer_group(self, amphora, amphorae):
        # Groups of 2-3 (octavia_aa.amphorae.haproxy.peers): a flow's
        # persistence entry survives the loss of its amphora when the
        # distributor moves the flow to a peer of the same group.
        listed = any(a.id == amphora.id for a in amphorae)
        return peers.group_of(amphora.id, list(amphorae) +
                              ([] if listed else [amphora]))

    def limit_sharers(self, amphorae):
        # The standby serves nothing until it takes a failed place.
        return [a for a in amphorae if a.role == c.ROLE_IN_CLUSTER]

    def failover_order(self, amphorae):
        return sorted(amphorae, key=lambda a: _ORDER.get(a.role, 2))

    def resize_plan(self, lb):
        cluster = _cluster(lb)
        live = [a for a in lb.amphorae if a.status == c.ALLOCATED]
        active = [a for a in live if a.role == c.ROLE_IN_CLUSTER]
        standby = [a for a in live if a.role == c.ROLE_IN_CLUSTER_STANDBY]
        add = ([c.ROLE_IN_CLUSTER] *
               max(0, cluster.desired_size - len(active)) +
               [c.ROLE_IN_CLUSTER_STANDBY] *
               max(0, cluster.standby_count - len(standby)))
        # Shrink the newest first: the oldest have proven themselves.
        surplus = sorted(active, key=lambda a: a.created_at)[
            cluster.desired_size:]
        extra_standby = sorted(standby, key=lambda a: a.created_at)[
            cluster.standby_count:]
        return add, [a.id for a in surplus + extra_standby]

    def roll_up(self, lb, online):
        cluster = _cluster(lb)
        if len(online) >= self.expected_amphorae(lb):
            return c.ONLINE, c.ONLINE
        if len(online) >= cluster.min_size:
            return c.DEGRADED, c.DEGRADED
        return c.ERROR, c.DOWN
