"""Listener rows and their statistics."""
import sqlalchemy as sa

from octavia_aa.db import models


def existing_ids(session, listener_ids):
    """Those of `listener_ids` that are listeners."""
    return set(session.scalars(sa.select(models.Listener.id).where(
        models.Listener.id.in_(list(listener_ids)))))


def drop_statistics(session, listener_ids):
    if listener_ids:
        session.execute(sa.delete(models.ListenerStatistics).where(
            models.ListenerStatistics.listener_id.in_(listener_ids)))
