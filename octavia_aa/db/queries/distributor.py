"""Distributor rows, their VRRP pairs, and the amphora registrations
that mirror each distributor's slot table."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models


def count(session):
    return session.scalar(sa.select(sa.func.count(models.Distributor.id)))


def clusters_served(session, distributor_id):
    """How many clusters (load balancers) the distributor serves."""
    return session.scalar(
        sa.select(sa.func.count(models.Cluster.id)).where(
            models.Cluster.distributor_id == distributor_id))


def least_loaded(session):
    """The ACTIVE distributor, not the BACKUP of a pair, with room for
    another load balancer and the fewest now (oldest first on a tie)."""
    load = (sa.select(sa.func.count(models.Cluster.id))
            .where(models.Cluster.distributor_id == models.Distributor.id)
            .scalar_subquery())
    return session.scalar(
        sa.select(models.Distributor)
        .where(models.Distributor.status == c.ACTIVE,
               models.Distributor.role != c.ROLE_BACKUP,
               load < models.Distributor.max_load_balancers)
        .order_by(load, models.Distributor.created_at).limit(1))


def booting_count(session):
    return session.scalar(
        sa.select(sa.func.count(models.Distributor.id))
        .where(models.Distributor.status.in_((c.PENDING_CREATE,
                                              c.BOOTING))))


def peers_of(session, distributor_id):
    """Ids of the distributors that name this one as their peer."""
    return set(session.scalars(
        sa.select(models.Distributor.id).where(
            models.Distributor.peer_id == distributor_id)))


def clusters_on(session, distributor_ids):
    return list(session.scalars(sa.select(models.Cluster).where(
        models.Cluster.distributor_id.in_(distributor_ids))))


def delete(session, distributor_id):
    """The distributor's row and its health row."""
    session.execute(sa.delete(models.DistributorHealth).where(
        models.DistributorHealth.distributor_id == distributor_id))
    session.execute(sa.delete(models.Distributor).where(
        models.Distributor.id == distributor_id))


# --- registrations ------------------------------------------------------

def registrations(session, lb_id):
    """{amphora id: registration} of the load balancer."""
    return {r.amphora_id: r for r in session.scalars(
        sa.select(models.AmphoraRegistration).where(
            models.AmphoraRegistration.load_balancer_id == lb_id))}


def drop_registrations(session, lb_id):
    session.execute(sa.delete(models.AmphoraRegistration).where(
        models.AmphoraRegistration.load_balancer_id == lb_id))


def replace_registrations(session, lb_id, distributor_id, entries):
    """The registration rows become `entries` (the distributor's answer:
    [{'id', 'position'}]), for the load balancer's amphorae still known."""
    drop_registrations(session, lb_id)
    session.flush()
    known = set(session.scalars(sa.select(models.Amphora.id).where(
        models.Amphora.load_balancer_id == lb_id)))
    for entry in entries:
        if entry['id'] in known:
            session.add(models.AmphoraRegistration(
                amphora_id=entry['id'], load_balancer_id=lb_id,
                distributor_id=distributor_id, position=entry['position']))
