"""Status test-and-set: the one guard against concurrent writes.

An UPDATE ... WHERE provisioning_status IN (allowed) is atomic on every
backend (SQLite included, where SELECT FOR UPDATE does not exist), so two
racing writers cannot both win: the loser sees rowcount 0 and gets 409.
"""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models


def _test_and_set(session, model, obj_id, allowed, new_status, display):
    result = session.execute(
        sa.update(model).where(model.id == obj_id,
                               model.provisioning_status.in_(allowed))
        .values(provisioning_status=new_status)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise exceptions.ImmutableObject(display, obj_id)


def lock_load_balancer(session, lb, allowed=c.MUTABLE_STATUSES,
                       new_status=c.PENDING_UPDATE, listeners=True):
    """Move the LB (and its ACTIVE listeners) to PENDING_*, or 409."""
    _test_and_set(session, models.LoadBalancer, lb.id, allowed, new_status,
                  'Load Balancer')
    lb.provisioning_status = new_status
    if listeners:
        session.execute(
            sa.update(models.Listener)
            .where(models.Listener.load_balancer_id == lb.id,
                   models.Listener.provisioning_status == c.ACTIVE)
            .values(provisioning_status=c.PENDING_UPDATE)
            .execution_options(synchronize_session=False))


def lock_object(session, obj, display, allowed=c.MUTABLE_STATUSES,
                new_status=c.PENDING_UPDATE):
    _test_and_set(session, type(obj), obj.id, allowed, new_status, display)
    obj.provisioning_status = new_status
