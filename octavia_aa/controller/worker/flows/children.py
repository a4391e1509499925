"""Flows for the objects under a load balancer (listener, pool, member,
health monitor, L7 policy and rule): push the whole configuration to the
amphorae, then settle the rows."""
from taskflow.patterns import linear_flow

from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.controller.worker.tasks import database as db_tasks
from octavia_aa.controller.worker.tasks import lifecycle


def create_or_update(kind, action):
    flow = linear_flow.Flow('%s-%s' % (action, kind))
    flow.add(lifecycle.ObjectToErrorOnRevert(kind),
             amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.MarkObjectActive(kind))
    return flow


def delete(kind):
    # The pushed configuration already leaves out PENDING_DELETE objects,
    # so the rows go only once the amphorae no longer use them.
    flow = linear_flow.Flow('delete-%s' % kind)
    flow.add(lifecycle.ObjectToErrorOnRevert(kind),
             amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.DeleteObject(kind),
             db_tasks.MarkLoadBalancerActive())
    return flow


def batch_update_members():
    flow = linear_flow.Flow('batch-update-members')
    flow.add(lifecycle.MembersToErrorOnRevert(
                 rebind={'member_ids': 'touched_member_ids'}),
             amp_tasks.AmphoraeUpdateConfig(),
             db_tasks.DeleteMembers(
                 rebind={'member_ids': 'deleted_member_ids'}),
             db_tasks.MarkMembersActive(
                 rebind={'member_ids': 'kept_member_ids'}))
    return flow
