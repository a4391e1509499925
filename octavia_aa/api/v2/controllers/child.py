"""What every object below a load balancer shares: it inherits the LB's
project, writing it locks the LB (and its listeners) in PENDING_UPDATE,
and it counts against a quota."""
import pecan

from octavia_aa.api.v2.controllers import base
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.common import policy
from octavia_aa.db import lifecycle

# session.info key: (context, policy resource, action) to check parents for.
_AUTHORIZE = 'octavia_aa.authorize_parents'


class ChildController(base.ResourceController):
    quota_name = None

    def load_balancer_of(self, obj):
        raise NotImplementedError

    def build(self, session, ctx, values):
        """Validate the new object's values; returns the unsaved row."""
        raise NotImplementedError

    def check_update(self, session, obj, values):
        """Validate an update against the object (cross-field rules)."""

    def create(self, session, ctx, values):
        # The new row hangs off persistent parents; keep it out of the
        # session until every check passed so the quota count and the
        # lock see the database as it was.
        with session.no_autoflush:
            # get_parent checks each parent build() looks up as it finds
            # it: a caller who may not write there gets 403 before any
            # validation can tell them about the parent (as upstream).
            session.info[_AUTHORIZE] = (ctx, self.spec.policy, 'post')
            try:
                obj = self.build(session, ctx, values)
            finally:
                session.info.pop(_AUTHORIZE, None)
            lb = self.load_balancer_of(obj)
            policy.authorize(ctx, self.spec.policy, 'post', lb.project_id)
            obj.project_id = lb.project_id
            base.check_quota(session, ctx, self.spec.model, self.quota_name,
                             lb.project_id)
            lifecycle.lock_load_balancer(session, lb)
            obj.provisioning_status = c.PENDING_CREATE
            obj.operating_status = c.OFFLINE
        session.add(obj)
        return obj

    def update(self, session, ctx, obj, values):
        self.check_update(session, obj, values)
        # The object first: locking the LB moves its ACTIVE listeners to
        # PENDING_UPDATE, which would include a listener being updated.
        lifecycle.lock_object(session, obj, self.spec.display,
                              c.MUTABLE_STATUSES + (c.ERROR,))
        lifecycle.lock_load_balancer(session, self.load_balancer_of(obj))
        for key, value in values.items():
            setattr(obj, key, value)

    def remove(self, session, ctx, obj):
        lifecycle.lock_object(session, obj, self.spec.display,
                              c.DELETABLE_STATUSES, c.PENDING_DELETE)
        lifecycle.lock_load_balancer(session, self.load_balancer_of(obj))


def get_parent(session, model, obj_id, display, field=None):
    """A referenced parent row: 404 when it does not exist, 403 when the
    caller may not create under it (while ChildController.create runs)."""
    obj = session.get(model, obj_id) if obj_id else None
    if obj is None or getattr(obj, 'provisioning_status', None) in (
            c.DELETED, c.PENDING_DELETE):
        if field is not None and obj_id is None:
            raise exceptions.InvalidInput(field, None,
                                          'Mandatory field missing.')
        raise exceptions.NotFound(display, obj_id)
    check = session.info.get(_AUTHORIZE)
    if check is not None:
        ctx, resource, action = check
        policy.authorize(ctx, resource, action, obj.project_id)
    return obj


def require(values, *names):
    for name in names:
        if values.get(name) is None:
            raise exceptions.InvalidInput(name, None,
                                          'Mandatory field missing.')


def parent_from_url(remainder, name):
    """For nested routes: ('<parent_id>', '<name>', ...) → parent id."""
    if len(remainder) >= 2 and remainder[1] == name:
        return remainder[0], remainder[2:]
    pecan.abort(404)
