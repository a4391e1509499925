"""Takeover claims on distributors of a VRRP pair.

A distributor of a pair that reports being VRRP MASTER since ``since``
while its peer was not heard from since then took over from a peer that
is most likely dead.  The peer is *claimed* (its health row's ``busy``
flag, the same flag the stale check claims), so of several health
managers and of the heartbeats that keep reporting MASTER one only
raises the event; the peer's next heartbeat releases it.
"""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models
from octavia_aa.db.queries import distributor as distributor_q


def peer_ids(session, distributor_id):
    """Ids of the other member(s) of the distributor's VRRP pair (the
    MASTER names the BACKUP as peer_id, or the other way round)."""
    dist = session.get(models.Distributor, distributor_id)
    if dist is None:
        return []
    ids = distributor_q.peers_of(session, distributor_id)
    if dist.peer_id:
        ids.add(dist.peer_id)
    ids.discard(distributor_id)
    return sorted(ids)


def claim_silent_peer(session, distributor_id, since):
    """The peer that was ACTIVE and not heard from since ``since`` (a
    naive UTC datetime), claimed; None if there is none or another
    caller claimed it first."""
    for peer_id in peer_ids(session, distributor_id):
        active = session.scalar(sa.select(models.Distributor.id).where(
            models.Distributor.id == peer_id,
            models.Distributor.status == c.ACTIVE))
        if active is None:
            continue
        claimed = session.execute(
            sa.update(models.DistributorHealth)
            .where(models.DistributorHealth.distributor_id == peer_id,
                   models.DistributorHealth.busy.is_(False),
                   models.DistributorHealth.last_update < since)
            .values(busy=True)
            .execution_options(synchronize_session=False)).rowcount
        if claimed:
            return peer_id
    return None


def release_claim(session, distributor_id):
    """The claimed distributor turned out alive: its next silence or
    takeover counts again."""
    session.execute(
        sa.update(models.DistributorHealth)
        .where(models.DistributorHealth.distributor_id == distributor_id)
        .values(busy=False)
        .execution_options(synchronize_session=False))


def mark_failed(session, distributor_id, fault):
    """ACTIVE -> ERROR with ``fault``; whether it changed."""
    return session.execute(
        sa.update(models.Distributor)
        .where(models.Distributor.id == distributor_id,
               models.Distributor.status == c.ACTIVE)
        .values(status=c.ERROR, fault=fault[:1024])
        .execution_options(synchronize_session=False)).rowcount == 1
