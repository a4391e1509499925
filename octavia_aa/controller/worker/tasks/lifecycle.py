"""First tasks of a flow: nothing on execute; on revert (everything after
them already undone) they put the objects in ERROR with a fault that says
which step failed and why, and unlock what the API locked."""
from octavia_aa.common import constants as c
from octavia_aa.controller.worker import objects
from octavia_aa.controller.worker import status
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import models


def _error(obj, fault):
    if obj is None:
        return
    if hasattr(obj, 'provisioning_status'):
        obj.provisioning_status = c.ERROR
    else:
        obj.status = c.ERROR
    obj.fault = fault


class LoadBalancerToErrorOnRevert(base.Task):

    def execute(self, load_balancer_id):
        pass

    def revert(self, load_balancer_id, *args, **kwargs):
        fault = base.fault_from(kwargs)
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is None:
                return
            status.unlock(lb)
            _error(lb, fault)
            if lb.cluster is not None and (
                    lb.cluster.provisioning_status in c.PENDING_STATUSES):
                _error(lb.cluster, fault)


class ObjectToErrorOnRevert(base.Task):
    """For a create, update or delete of one child object."""

    def __init__(self, kind, **kwargs):
        self.kind = kind
        super().__init__(**kwargs)

    def execute(self, object_id, load_balancer_id):
        pass

    def revert(self, object_id, load_balancer_id, *args, **kwargs):
        fault = base.fault_from(kwargs)
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is not None:
                status.unlock(lb)
            _error(session.get(objects.MODELS[self.kind], object_id), fault)


class MembersToErrorOnRevert(base.Task):
    """For a batch update: every member the batch touched goes to ERROR."""

    def execute(self, member_ids, load_balancer_id):
        pass

    def revert(self, member_ids, load_balancer_id, *args, **kwargs):
        fault = base.fault_from(kwargs)
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is not None:
                status.unlock(lb)
            for member_id in member_ids:
                _error(session.get(models.Member, member_id), fault)


class AmphoraToErrorOnRevert(base.Task):
    """For a failover: the failed amphora ends in ERROR, not half gone."""

    def execute(self, amphora_id):
        pass

    def revert(self, amphora_id, *args, **kwargs):
        with db_api.session_scope() as session:
            _error(session.get(models.Amphora, amphora_id),
                   base.fault_from(kwargs))


class DistributorToErrorOnRevert(base.Task):

    def execute(self, distributor_id):
        pass

    def revert(self, distributor_id, *args, **kwargs):
        with db_api.session_scope() as session:
            _error(session.get(models.Distributor, distributor_id),
                   base.fault_from(kwargs))


class ClusterToErrorOnRevert(base.Task):

    def execute(self, cluster_id):
        pass

    def revert(self, cluster_id, *args, **kwargs):
        with db_api.session_scope() as session:
            _error(session.get(models.Cluster, cluster_id),
                   base.fault_from(kwargs))
