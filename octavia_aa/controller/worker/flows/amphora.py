"""Flow pieces for one amphora: build, delete, replace."""
from taskflow.patterns import linear_flow
from taskflow.patterns import unordered_flow

from octavia_aa.controller.worker.flows import vip as vip_flows
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.controller.worker.tasks import compute as compute_tasks
from octavia_aa.controller.worker.tasks import lifecycle
from octavia_aa.controller.worker.tasks import network as net_tasks


def build(prefix, role):
    """Build one amphora up to ALLOCATED; its id lands in the store under
    '<prefix>_amphora_id'.  Each step undoes itself on revert, so a failed
    flow leaves no amphora row, machine or address behind."""
    key = '%s_amphora_id' % prefix
    rebind = {'amphora_id': key}
    flow = linear_flow.Flow('%s-build' % prefix)
    flow.add(amp_tasks.CreateAmphoraInDB(role, prefix=prefix, provides=key),
             compute_tasks.ComputeBuild(prefix=prefix, rebind=rebind),
             compute_tasks.ComputeWait(prefix=prefix, rebind=rebind),
             net_tasks.PlugAmphoraPort(prefix=prefix, rebind=rebind),
             amp_tasks.FinalizeAmphora(prefix=prefix, rebind=rebind))
    return flow, key


def build_many(roles, prefix='amp'):
    """Amphorae built side by side (a real compute driver boots them in
    parallel)."""
    flow = unordered_flow.Flow('%s-build-all' % prefix)
    for index, role in enumerate(roles):
        flow.add(build('%s%d' % (prefix, index), role)[0])
    return flow


def delete(prefix, amphora_id):
    inject = {'amphora_id': amphora_id}
    flow = linear_flow.Flow('%s-delete' % prefix)
    flow.add(net_tasks.UnplugAmphora(prefix=prefix, inject=inject),
             compute_tasks.ComputeDelete(prefix=prefix, inject=inject),
             amp_tasks.DeleteAmphoraRows(prefix=prefix, inject=inject))
    return flow


def replace(strategy, prefix, failed_id, failed_role, new_role,
            drain=False):
    """Build the replacement first, let it join, then let the failed one
    leave and delete it: the load balancer never has fewer amphorae
    serving than before the failover started.  drain: the one replaced
    still works (a rolling failover), so its connections may end first."""
    inject = {'amphora_id': failed_id}
    flow = linear_flow.Flow('%s-replace' % prefix)
    flow.add(lifecycle.AmphoraToErrorOnRevert(prefix=prefix, inject=inject),
             amp_tasks.MarkAmphoraPendingDelete(prefix=prefix,
                                                inject=inject))
    new_flow, new_key = build(prefix + '-new', new_role)
    flow.add(new_flow)
    if drain:
        flow.add(*vip_flows.drain(strategy, [failed_id],
                                  prefix=prefix + '-drain'))
    flow.add(*vip_flows.join(strategy, prefix + '-join', new_key,
                             failed_role, failed_id))
    flow.add(amp_tasks.AmphoraeUpdateConfig(prefix=prefix))
    leave = vip_flows.leave(strategy, prefix + '-leave', failed_id)
    if leave:
        flow.add(*leave)
    flow.add(delete(prefix + '-old', failed_id))
    return flow
