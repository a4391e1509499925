"""The health manager's per-heartbeat reads and writes, in Core SQL:
rows as tuples, no ORM objects, one statement each.  A heartbeat comes
every few seconds from every amphora; the ORM path (an identity map, a
lazy load per relationship, flushes) cost about 8 statements and most of
a heartbeat's CPU for what is, in the steady state, one UPDATE of the
health row and one of the counters."""
import sqlalchemy as sa

from octavia_aa.db import models

_A = models.Amphora.__table__
_H = models.AmphoraHealth.__table__
_LB = models.LoadBalancer.__table__
_L = models.Listener.__table__
_P = models.Pool.__table__
_M = models.Member.__table__
_S = models.ListenerStatistics.__table__
COUNTERS = ('bytes_in', 'bytes_out', 'total_connections', 'request_errors')


def amphora_target(session, amphora_id):
    """(status, load_balancer_id, lb provisioning status, lb operating
    status, health last_update or None, health row present) of the
    amphora, or None if there is no such amphora."""
    return session.execute(
        sa.select(_A.c.status, _A.c.load_balancer_id,
                  _LB.c.provisioning_status, _LB.c.operating_status,
                  _H.c.last_update, _H.c.amphora_id.is_not(None))
        .select_from(_A.outerjoin(_LB, _LB.c.id == _A.c.load_balancer_id)
                     .outerjoin(_H, _H.c.amphora_id == _A.c.id))
        .where(_A.c.id == amphora_id)).first()


def advance(session, amphora_id, now, stamp):
    """The health row refreshed and unclaimed (busy off) if the
    heartbeat is newer than the last one accepted; False otherwise (a
    replay).  The row must exist."""
    values = {'last_update': now, 'busy': False}
    where = [_H.c.amphora_id == amphora_id]
    if stamp is not None:
        boot, seq = stamp
        values.update(last_boot=boot, last_seq=seq)
        where.append(sa.or_(
            _H.c.last_boot.is_(None), _H.c.last_boot < boot,
            sa.and_(_H.c.last_boot == boot, _H.c.last_seq < seq)))
    return bool(session.execute(
        sa.update(_H).where(*where).values(**values)).rowcount)


def statistics(session, amphora_id, listener_ids):
    """{listener_id: (bytes_in, bytes_out, total_connections,
    request_errors) or None (no row yet)} for those of listener_ids that
    are listeners."""
    rows = session.execute(
        sa.select(_L.c.id, _S.c.listener_id,
                  *(_S.c[name] for name in COUNTERS))
        .select_from(_L.outerjoin(_S, sa.and_(
            _S.c.listener_id == _L.c.id, _S.c.amphora_id == amphora_id)))
        .where(_L.c.id.in_(list(listener_ids))))
    return {row[0]: (tuple(row[2:]) if row[1] is not None else None)
            for row in rows}


def write_statistics(session, amphora_id, updates, inserts):
    """updates/inserts: [{listener_id, <column>: value}]."""
    if updates:
        session.execute(
            sa.update(_S).where(
                _S.c.listener_id == sa.bindparam('b_listener_id'),
                _S.c.amphora_id == amphora_id),
            [dict({'b_listener_id': u['listener_id']},
                  **{k: v for k, v in u.items() if k != 'listener_id'})
             for u in updates])
    if inserts:
        session.execute(sa.insert(_S), [
            dict(dict.fromkeys(COUNTERS + ('active_connections',), 0),
                 **row, amphora_id=amphora_id) for row in inserts])


def status_view(session, lb_id):
    """What the operating-status mapping reads of a load balancer, as
    plain tuples: (listeners [(id, enabled, provisioning, operating)],
    pools {id: (enabled, provisioning, operating)}, members {pool_id:
    [(id, enabled, provisioning, operating)]})."""
    listeners = session.execute(
        sa.select(_L.c.id, _L.c.enabled, _L.c.provisioning_status,
                  _L.c.operating_status)
        .where(_L.c.load_balancer_id == lb_id)).all()
    pools, members = {}, {}
    for row in session.execute(
            sa.select(_P.c.id, _P.c.enabled, _P.c.provisioning_status,
                      _P.c.operating_status, _M.c.id, _M.c.enabled,
                      _M.c.provisioning_status, _M.c.operating_status)
            .select_from(_P.outerjoin(_M, _M.c.pool_id == _P.c.id))
            .where(_P.c.load_balancer_id == lb_id)):
        pools[row[0]] = tuple(row[1:4])
        members.setdefault(row[0], [])
        if row[4] is not None:
            members[row[0]].append(tuple(row[4:]))
    return listeners, pools, members
