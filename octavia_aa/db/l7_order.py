"""The order of a listener's L7 policies: positions stay 1..n, as
upstream's ordering list keeps them (a move or a delete renumbers the
others)."""
import sqlalchemy as sa

from octavia_aa.db import models


def renumber(session, listener_id, moved=None, position=None):
    """Number the listener's policies 1..n in their order; `moved`, if
    given, goes to `position` first (past the end means last)."""
    policies = [p for p in session.scalars(
        sa.select(models.L7Policy)
        .where(models.L7Policy.listener_id == listener_id)
        .order_by(models.L7Policy.position)) if p is not moved]
    if moved is not None:
        policies.insert(max(position, 1) - 1, moved)
    for number, policy in enumerate(policies, 1):
        policy.position = number


def next_position(session, listener_id, wanted):
    """The position a new policy takes: `wanted`, the later policies
    pushed down to make room, or last when none or past the end is
    asked for."""
    last = session.scalar(sa.select(sa.func.max(models.L7Policy.position))
                          .where(models.L7Policy.listener_id == listener_id))
    if wanted is None or wanted > (last or 0):
        return (last or 0) + 1
    session.execute(sa.update(models.L7Policy).where(
        models.L7Policy.listener_id == listener_id,
        models.L7Policy.position >= wanted)
        .values(position=models.L7Policy.position + 1))
    return wanted
