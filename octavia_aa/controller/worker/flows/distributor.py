"""Distributor flows (admin API: create and delete distributors)."""
from taskflow.patterns import linear_flow

from octavia_aa.controller.worker.tasks import compute as compute_tasks
from octavia_aa.controller.worker.tasks import database as db_tasks
from octavia_aa.controller.worker.tasks import distributor as dist_tasks
from octavia_aa.controller.worker.tasks import lifecycle


def create():
    flow = linear_flow.Flow('create-distributor')
    flow.add(lifecycle.DistributorToErrorOnRevert(),
             compute_tasks.DistributorComputeBuild())
    return flow


def delete():
    # The in-use check runs before the machine goes, so a refused delete
    # leaves a working distributor (in ERROR, with the reason as fault).
    flow = linear_flow.Flow('delete-distributor')
    flow.add(lifecycle.DistributorToErrorOnRevert(),
             db_tasks.CheckDistributorUnused(),
             compute_tasks.DistributorComputeDelete(),
             db_tasks.DeleteDistributorRow())
    return flow


def failover():
    """Replace a dead distributor by a new machine under the same row
    (same id, role and VRRP router id), then give it back its tables."""
    flow = linear_flow.Flow('failover-distributor')
    flow.add(lifecycle.DistributorToErrorOnRevert(),
             compute_tasks.DistributorComputeDelete(),
             compute_tasks.DistributorComputeBuild(),
             dist_tasks.RestoreDistributor())
    return flow
