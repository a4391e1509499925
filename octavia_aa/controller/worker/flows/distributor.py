"""Distributor flows (admin API: create and delete distributors)."""
from taskflow.patterns import linear_flow

from octavia_aa.controller.worker.tasks import compute as compute_tasks
from octavia_aa.controller.worker.tasks import database as db_tasks
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
