"""Load-balancer flows.  Factories take only JSON-able arguments (the
plan the controller worker made from the database) because Taskflow
persistence stores them to rebuild the same flow when resuming."""
import dataclasses

from taskflow.patterns import linear_flow
from taskflow.patterns import unordered_flow

from octavia_aa import topology
from octavia_aa.controller.worker.flows import amphora as amp_flows
from octavia_aa.controller.worker.flows import vip as vip_flows
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.controller.worker.tasks import compute as compute_tasks
from octavia_aa.controller.worker.tasks import database as db_tasks
from octavia_aa.controller.worker.tasks import lifecycle
from octavia_aa.controller.worker.tasks import network as net_tasks


def create(topology_name, roles):
    strategy = topology.get(topology_name)
    flow = linear_flow.Flow('create-load-balancer')
    flow.add(lifecycle.LoadBalancerToErrorOnRevert())
    if strategy.anti_affinity:
        flow.add(compute_tasks.CreateServerGroup())
    flow.add(amp_flows.build_many(roles), *vip_flows.hold(strategy, 'vip'))
    flow.add(amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.MarkLoadBalancerActive())
    return flow


def update():
    flow = linear_flow.Flow('update-load-balancer')
    flow.add(lifecycle.LoadBalancerToErrorOnRevert(),
             amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.MarkLoadBalancerActive())
    return flow


def delete(topology_name, amphora_ids):
    strategy = topology.get(topology_name)
    flow = linear_flow.Flow('delete-load-balancer')
    flow.add(lifecycle.LoadBalancerToErrorOnRevert())
    release = vip_flows.release(strategy)
    if release:
        flow.add(*release)
    if amphora_ids:
        amps = unordered_flow.Flow('delete-amphorae')
        for index, amphora_id in enumerate(amphora_ids):
            amps.add(amp_flows.delete('amp%d' % index, amphora_id))
        flow.add(amps)
    if strategy.anti_affinity:
        flow.add(compute_tasks.DeleteServerGroup())
    flow.add(net_tasks.DeallocateVip(), db_tasks.DeleteLoadBalancerRows())
    return flow


@dataclasses.dataclass(frozen=True)
class FailoverStep:
    """One amphora of a failover: which one goes, the role it had, the
    role its replacement gets, and whether it drains first (it still
    works, so its connections may end before it goes)."""
    failed_id: str
    failed_role: str
    new_role: str
    drain: bool = False

    def as_arg(self):
        """The form a flow's stored arguments keep (JSON)."""
        return dataclasses.asdict(self)

    @classmethod
    def from_arg(cls, arg):
        """From as_arg(), or from the list [failed_id, failed_role,
        new_role(, drain)] a flow stored before this class existed (a
        resumed flow brings its arguments back as they were saved)."""
        if isinstance(arg, cls):
            return arg
        if isinstance(arg, dict):
            return cls(**arg)
        return cls(*arg[:3], drain=bool(arg[3:4] and arg[3]))


def failover(topology_name, step, finish=True):
    """Replace one amphora; step: a FailoverStep (in its stored form).

    A rolling load-balancer failover runs one such flow per amphora, in
    the topology's order, so a failure reverts only the replacement in
    progress and keeps those already done; only the last one (finish)
    unlocks the load balancer.
    """
    strategy = topology.get(topology_name)
    step = FailoverStep.from_arg(step)
    flow = linear_flow.Flow('failover-amphora')
    flow.add(lifecycle.LoadBalancerToErrorOnRevert(),
             amp_flows.replace(strategy, 'fo', step.failed_id,
                               step.failed_role, step.new_role,
                               drain=step.drain))
    if finish:
        flow.add(db_tasks.MarkLoadBalancerActive())
    return flow


def resize(topology_name, cluster_id, add_roles, remove_ids):
    strategy = topology.get(topology_name)
    flow = linear_flow.Flow('resize-cluster')
    flow.add(lifecycle.LoadBalancerToErrorOnRevert(),
             lifecycle.ClusterToErrorOnRevert(
                 inject={'cluster_id': cluster_id}))
    if add_roles:
        flow.add(amp_flows.build_many(add_roles, prefix='add'),
                 *vip_flows.hold(strategy, 'grow'))
    # All at once: the leaving amphorae drain together, then go.
    flow.add(*vip_flows.drain(strategy, remove_ids))
    for index, amphora_id in enumerate(remove_ids):
        prefix = 'rm%d' % index
        flow.add(*vip_flows.remove(strategy, prefix, amphora_id))
        flow.add(amp_flows.delete(prefix, amphora_id))
    flow.add(amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.MarkClusterResized(inject={'cluster_id': cluster_id}),
             db_tasks.MarkLoadBalancerActive())
    return flow


def remove_amphorae(topology_name, amphora_ids):
    """Take out and delete amphorae a dead worker's flow left half built
    or half deleted; every step is idempotent."""
    strategy = topology.get(topology_name)
    flow = linear_flow.Flow('remove-amphorae')
    flow.add(lifecycle.LoadBalancerToErrorOnRevert())
    for index, amphora_id in enumerate(amphora_ids):
        prefix = 'rm%d' % index
        flow.add(*vip_flows.remove(strategy, prefix, amphora_id))
        flow.add(amp_flows.delete(prefix, amphora_id))
    flow.add(amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.MarkLoadBalancerActive())
    return flow
