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


_STAT_COLUMNS = ('bytes_in', 'bytes_out', 'active_connections',
                 'total_connections', 'request_errors')


def statistics_sum(session, listener_ids):
    """{counter: total} over the listeners and every amphora."""
    cols = [getattr(models.ListenerStatistics, name)
            for name in _STAT_COLUMNS]
    row = session.execute(sa.select(*[sa.func.coalesce(sa.func.sum(col), 0)
                                      for col in cols]).where(
        models.ListenerStatistics.listener_id.in_(listener_ids))).one()
    return dict(zip(_STAT_COLUMNS, (int(v) for v in row)))


def statistics_of_amphora(session, amphora_id):
    """The amphora's statistics rows, one per listener."""
    return list(session.scalars(sa.select(models.ListenerStatistics).where(
        models.ListenerStatistics.amphora_id == amphora_id)))


def on_port(session, lb_id, protocol_port):
    """The load balancer's listeners on that port, whatever their state."""
    return session.scalars(sa.select(models.Listener).where(
        models.Listener.load_balancer_id == lb_id,
        models.Listener.protocol_port == protocol_port)).all()
