"""First tasks of a flow: nothing on execute; on revert (everything after
them already undone) they put the objects in ERROR with a fault that says
which step failed and why, and unlock what the API locked (the
transitions are db/lifecycle.py's)."""
from octavia_aa.controller.worker import objects
from octavia_aa.controller.worker.tasks import base
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models


class LoadBalancerToErrorOnRevert(base.Task):

    def execute(self, load_balancer_id):
        pass

    def revert(self, load_balancer_id, *args, **kwargs):
        fault = base.fault_from(kwargs)
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is not None:
                lifecycle.fail_load_balancer(lb, fault)


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
                lifecycle.unlock(lb)
            lifecycle.to_error(
                session.get(objects.MODELS[self.kind], object_id), fault)


class MembersToErrorOnRevert(base.Task):
    """For a batch update: every member the batch touched goes to ERROR."""

    def execute(self, member_ids, load_balancer_id):
        pass

    def revert(self, member_ids, load_balancer_id, *args, **kwargs):
        fault = base.fault_from(kwargs)
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            if lb is not None:
                lifecycle.unlock(lb)
            for member_id in member_ids:
                lifecycle.to_error(session.get(models.Member, member_id),
                                   fault)


class _OneToErrorOnRevert(base.Task):
    """An amphora, distributor or cluster flow: the object ends in ERROR,
    not half built or half gone."""
    model = None

    def _revert_one(self, obj_id, kwargs):
        with db_api.session_scope() as session:
            lifecycle.to_error(session.get(self.model, obj_id),
                               base.fault_from(kwargs))


class AmphoraToErrorOnRevert(_OneToErrorOnRevert):
    model = models.Amphora

    def execute(self, amphora_id):
        pass

    def revert(self, amphora_id, *args, **kwargs):
        self._revert_one(amphora_id, kwargs)


class DistributorToErrorOnRevert(_OneToErrorOnRevert):
    model = models.Distributor

    def execute(self, distributor_id):
        pass

    def revert(self, distributor_id, *args, **kwargs):
        self._revert_one(distributor_id, kwargs)


class ClusterToErrorOnRevert(_OneToErrorOnRevert):
    model = models.Cluster

    def execute(self, cluster_id):
        pass

    def revert(self, cluster_id, *args, **kwargs):
        self._revert_one(cluster_id, kwargs)
