"""Amphora rows and what hangs off them (health, registrations,
statistics)."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models


def allocated(session, lb_id):
    """The load balancer's ALLOCATED amphorae, oldest first."""
    return list(session.scalars(
        sa.select(models.Amphora).where(
            models.Amphora.load_balancer_id == lb_id,
            models.Amphora.status == c.ALLOCATED)
        .order_by(models.Amphora.created_at, models.Amphora.id)))


def allocated_with_heartbeat(session, lb_id):
    """[(amphora, last heartbeat or None)] of the load balancer's
    ALLOCATED amphorae."""
    return session.execute(
        sa.select(models.Amphora, models.AmphoraHealth.last_update)
        .outerjoin(models.AmphoraHealth,
                   models.AmphoraHealth.amphora_id == models.Amphora.id)
        .where(models.Amphora.load_balancer_id == lb_id,
               models.Amphora.status == c.ALLOCATED)).all()


def delete_rows(session, amphora_id):
    """The amphora and everything that hangs off it."""
    for model, column in ((models.AmphoraHealth, 'amphora_id'),
                          (models.AmphoraRegistration, 'amphora_id'),
                          (models.ListenerStatistics, 'amphora_id'),
                          (models.Amphora, 'id')):
        session.execute(sa.delete(model).where(
            getattr(model, column) == amphora_id))


def zone_of(session, amphora_id):
    """The availability zone of the amphora's load balancer."""
    return session.scalar(
        sa.select(models.LoadBalancer.availability_zone)
        .join(models.Amphora)
        .where(models.Amphora.id == amphora_id))


def stale_count(session, stale_before, statuses):
    """How many amphorae in `statuses` last reported before
    `stale_before`."""
    return session.scalar(
        sa.select(sa.func.count()).select_from(models.AmphoraHealth)
        .join(models.Amphora,
              models.Amphora.id == models.AmphoraHealth.amphora_id)
        .where(models.AmphoraHealth.last_update < stale_before,
               models.Amphora.status.in_(statuses)))


def stale_ids(session, lb_id, stale_before):
    """Ids of the load balancer's amphorae that last reported before
    `stale_before`."""
    return set(session.scalars(
        sa.select(models.AmphoraHealth.amphora_id)
        .join(models.Amphora,
              models.Amphora.id == models.AmphoraHealth.amphora_id)
        .where(models.Amphora.load_balancer_id == lb_id,
               models.AmphoraHealth.last_update < stale_before)))


def fail_probed(session, lb_id, amphora_ids, fault):
    """The load balancer's ALLOCATED amphorae among `amphora_ids` to
    ERROR with `fault`; how many changed (conditional, so one report of
    one health manager is the one that changes them)."""
    return session.execute(
        sa.update(models.Amphora)
        .where(models.Amphora.id.in_(amphora_ids),
               models.Amphora.load_balancer_id == lb_id,
               models.Amphora.status == c.ALLOCATED)
        .values(status=c.ERROR, fault=fault)
        .execution_options(synchronize_session=False)).rowcount


def stop_failovers(session, amphora_ids):
    """ALLOCATED amphorae among `amphora_ids` to FAILOVER_STOPPED."""
    session.execute(
        sa.update(models.Amphora)
        .where(models.Amphora.id.in_(amphora_ids),
               models.Amphora.status == c.ALLOCATED)
        .values(status=c.FAILOVER_STOPPED)
        .execution_options(synchronize_session=False))
