"""ACTIVE_ACTIVE: desired_size IN_CLUSTER amphorae plus standby_count
IN_CLUSTER_STANDBY ones (the "+1") behind a distributor that owns the VIP
on the wire and spreads flows over them by registration position."""
from octavia_aa.common import constants as c
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.controller.worker.tasks import distributor as dist_tasks
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

    def hold_vip(self, prefix):
        # Amphorae take the VIP with ARP off; the distributor answers for
        # it and forwards each flow to the amphora owning its slot.  Every
        # step is idempotent, so a resize reuses the same list.
        # HAProxy runs (and answers the distributor's probes) before an
        # amphora is registered, or the prober would fail it at once.
        return [dist_tasks.AllocateDistributor(prefix=prefix),
                amp_tasks.AmphoraePlugVip(arp=False, prefix=prefix),
                amp_tasks.AmphoraeUpdateConfig(prefix=prefix),
                dist_tasks.DistributorPlugVip(prefix=prefix),
                dist_tasks.RegisterAmphorae(prefix=prefix)]

    def release_vip(self):
        return [dist_tasks.DistributorUnplugVip()]

    def replacement_role(self, lb, failed):
        # The replacement always becomes the standby when the cluster has
        # one; PromoteStandby moves the old standby into the failed place.
        if _cluster(lb).standby_count > 0:
            return c.ROLE_IN_CLUSTER_STANDBY
        return c.ROLE_IN_CLUSTER

    def join(self, prefix, new_amphora_key, failed_role, failed_id):
        # Promote before registering: the replacement must not take a new
        # active position when it is to fill the failed one.
        return [amp_tasks.AmphoraePlugVip(arp=False, prefix=prefix),
                amp_tasks.AmphoraeUpdateConfig(prefix=prefix),
                dist_tasks.PromoteStandby(
                    prefix=prefix, rebind={'amphora_id': new_amphora_key},
                    inject={'failed_role': failed_role,
                            'failed_id': failed_id}),
                dist_tasks.RegisterAmphorae(prefix=prefix)]

    def leave(self, prefix, failed_id):
        return [dist_tasks.UnregisterAmphora(
            prefix=prefix, inject={'amphora_id': failed_id})]

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

    def remove(self, prefix, amphora_id):
        inject = {'amphora_id': amphora_id}
        return [amp_tasks.MarkAmphoraPendingDelete(prefix=prefix,
                                                   inject=inject),
                dist_tasks.DrainAmphora(prefix=prefix, inject=inject),
                dist_tasks.UnregisterAmphora(prefix=prefix, inject=inject)]

    def drain(self, amphora_ids, prefix='drain'):
        atoms = []
        for index, amphora_id in enumerate(amphora_ids):
            inject = {'amphora_id': amphora_id}
            atoms += [amp_tasks.MarkAmphoraPendingDelete(
                prefix='%s%d' % (prefix, index), inject=inject),
                dist_tasks.DrainAmphora(prefix='%s%d' % (prefix, index),
                                        inject=inject)]
        if amphora_ids:
            atoms.append(amp_tasks.DrainConnections(
                prefix=prefix, inject={'amphora_ids': list(amphora_ids)}))
        return atoms

    def roll_up(self, lb, online):
        cluster = _cluster(lb)
        if len(online) >= self.expected_amphorae(lb):
            return c.ONLINE, c.ONLINE
        if len(online) >= cluster.min_size:
            return c.DEGRADED, c.DEGRADED
        return c.ERROR, c.DOWN
