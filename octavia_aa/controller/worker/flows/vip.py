"""The atoms of each way of holding a VIP (a topology's vip_holder):
making the built amphorae serve it, letting a replacement join and the
failed one leave, taking a working amphora out, and releasing the VIP.
Every piece reads its inputs from the flow store (load_balancer_id, ...)
and every step is idempotent, so a resize reuses the same list."""
from octavia_aa import topology
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.controller.worker.tasks import distributor as dist_tasks


def _by_distributor(strategy):
    return strategy.vip_holder == topology.VIP_BY_DISTRIBUTOR


def hold(strategy, prefix, new_amphora_key=None):
    """Atoms that make the built amphorae serve the VIP (new_amphora_key:
    store key of a replacement's id, for VRRP's order)."""
    if _by_distributor(strategy):
        # HAProxy runs (and answers the distributor's probes) before an
        # amphora is registered, or the prober would fail it at once.
        return [dist_tasks.AllocateDistributor(prefix=prefix),
                amp_tasks.AmphoraePlugVip(arp=False, prefix=prefix),
                amp_tasks.AmphoraeUpdateConfig(prefix=prefix),
                dist_tasks.DistributorPlugVip(prefix=prefix),
                dist_tasks.RegisterAmphorae(prefix=prefix)]
    if strategy.vip_holder == topology.VIP_BY_VRRP:
        # keepalived holds the address (ARP on, on the MASTER only).
        atoms = [amp_tasks.AmphoraePlugVip(arp=True, vrrp=True,
                                           prefix=prefix)]
        rebind = {}
        if new_amphora_key:
            rebind = {'new_amphora_id': new_amphora_key}
            atoms.append(amp_tasks.VrrpRolesAfterReplace(prefix=prefix,
                                                         rebind=rebind))
        return atoms + [amp_tasks.AmphoraeConfigureVrrp(prefix=prefix,
                                                        rebind=rebind)]
    return [amp_tasks.AmphoraePlugVip(arp=True, prefix=prefix)]


def release(strategy):
    """Atoms run before the amphorae of a deleted load balancer go."""
    if _by_distributor(strategy):
        return [dist_tasks.DistributorUnplugVip()]
    return []


def join(strategy, prefix, new_amphora_key, failed_role, failed_id):
    """Atoms after a replacement is built (store key of its id)."""
    if not _by_distributor(strategy):
        return hold(strategy, prefix, new_amphora_key)
    # Promote before registering: the replacement must not take a new
    # active position when it is to fill the failed one.  Only the new
    # amphora is plugged and configured here (the others already serve;
    # the push after the join gives every one its new peers).
    new = {'amphora_id': new_amphora_key}
    return [amp_tasks.NewAmphoraPlugVip(arp=False, prefix=prefix,
                                        rebind=new),
            amp_tasks.NewAmphoraUpdateConfig(prefix=prefix, rebind=new),
            dist_tasks.PromoteStandby(
                prefix=prefix, rebind={'amphora_id': new_amphora_key},
                inject={'failed_role': failed_role, 'failed_id': failed_id}),
            dist_tasks.RegisterAmphorae(prefix=prefix)]


def leave(strategy, prefix, failed_id):
    """Atoms before the failed amphora is deleted."""
    if not _by_distributor(strategy):
        return []
    return [dist_tasks.UnregisterAmphora(
        prefix=prefix, inject={'amphora_id': failed_id})]


def remove(strategy, prefix, amphora_id):
    """Atoms that take a still-working amphora out of service."""
    if not _by_distributor(strategy):
        return []
    inject = {'amphora_id': amphora_id}
    return [amp_tasks.MarkAmphoraPendingDelete(prefix=prefix, inject=inject),
            dist_tasks.DrainAmphora(prefix=prefix, inject=inject),
            dist_tasks.UnregisterAmphora(prefix=prefix, inject=inject)]


def drain(strategy, amphora_ids, prefix='drain'):
    """Atoms that let serving amphorae's connections end before they are
    taken out (a smaller cluster, a rolling failover)."""
    if strategy.vip_holder == topology.VIP_BY_VRRP:
        # A working MASTER gives the VIP up (keepalived stopped: priority
        # 0 advert), so its peer takes over at once rather than after
        # the master-down timeout once the machine is deleted.
        return [amp_tasks.AmphoraReleaseVrrp(
            prefix='%s%d' % (prefix, index),
            inject={'amphora_id': amphora_id})
            for index, amphora_id in enumerate(amphora_ids)]
    if not _by_distributor(strategy):
        return []
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
