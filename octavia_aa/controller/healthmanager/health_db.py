"""What a heartbeat or its absence means for the database."""
import datetime
import logging

import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.controller.healthmanager import operating_status
from octavia_aa.controller.worker import status
from octavia_aa.db import api as db_api
from octavia_aa.db import models

CONF = config.CONF
LOG = logging.getLogger(__name__)
# The distributor agent's word for an amphora its prober gave up on.
DEAD = 'FAILED'
STALE_FAULT = 'no heartbeat for'


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def record_heartbeat(message):
    """Refresh the health row of the amphora or distributor that sent the
    (already verified) message and apply what it reports.

    Returns (kind, load_balancer_ids): kind is 'amphora', 'distributor'
    or None for a sender we do not know; the ids are load balancers the
    cluster manager must look at now (a distributor reported one of
    their amphorae dead)."""
    sender = message.get('id')
    if not isinstance(sender, str):
        return None, []
    now = _utcnow()
    with db_api.session_scope() as session:
        distributor = session.get(models.Distributor, sender)
        if distributor is not None:
            health = _refresh(session, models.DistributorHealth,
                              'distributor_id', sender, now)
            # Heard again (or rebuilt): its next silence counts again.
            health.busy = False
            if distributor.status == c.ERROR and (
                    distributor.fault or '').startswith(STALE_FAULT):
                # It was only silent, and is back.
                distributor.status = c.ACTIVE
                distributor.fault = None
            return 'distributor', _distributor_reports(session, sender,
                                                       message)
        amp = session.get(models.Amphora, sender)
        if amp is None:
            LOG.warning('Heartbeat from unknown sender %s', sender)
            return None, []
        if amp.status == c.FAILOVER_STOPPED:
            # Back from a mass outage: it is alive, let it be managed again.
            amp.status = c.ALLOCATED
        health = _refresh(session, models.AmphoraHealth, 'amphora_id',
                          sender, now)
        if amp.status == c.ALLOCATED:
            # Heard again: a later silence may be claimed anew.
            health.busy = False
        _record_stats(session, sender, message)
        if amp.status == c.ALLOCATED and amp.load_balancer is not None:
            operating_status.apply(session, amp.load_balancer, message)
        return 'amphora', []


def _refresh(session, model, key, sender, now):
    health = session.get(model, sender)
    if health is None:
        health = model(**{key: sender, 'last_update': now, 'busy': False})
        session.add(health)
    else:
        health.last_update = now
    return health


def _distributor_reports(session, distributor_id, message):
    """Amphorae the distributor's prober found dead: ERROR now (their
    slots already moved), so the cluster manager replaces them without
    waiting for heartbeat_timeout.  The conditional UPDATE makes one
    health manager, and one report, the one that wakes it."""
    lbs = message.get('load_balancers')
    if not isinstance(lbs, dict):
        return []
    wake = []
    for lb_id, report in lbs.items():
        amphorae = report.get('amphorae') if isinstance(report, dict) else None
        if not isinstance(amphorae, dict):
            continue
        dead = [amp_id for amp_id, amp in amphorae.items()
                if isinstance(amp, dict) and amp.get('state') == DEAD]
        if not dead:
            continue
        changed = session.execute(
            sa.update(models.Amphora)
            .where(models.Amphora.id.in_(dead),
                   models.Amphora.load_balancer_id == lb_id,
                   models.Amphora.status == c.ALLOCATED)
            .values(status=c.ERROR,
                    fault=('distributor %s: failed its probes'
                           % distributor_id))
            .execution_options(synchronize_session=False)).rowcount
        if changed:
            LOG.warning('Distributor %s reports amphorae %s of load '
                        'balancer %s dead', distributor_id, dead, lb_id)
            # Users see DEGRADED (or ERROR) now, not at the next pass.
            lb = session.get(models.LoadBalancer, lb_id)
            if lb is not None:
                status.roll_up_load_balancer(session, lb)
            wake.append(lb_id)
    return wake


# Heartbeat stats keys (Octavia's health message) -> our columns.
_COUNTERS = (('rx', 'bytes_in'), ('tx', 'bytes_out'),
             ('totconns', 'total_connections'), ('ereq', 'request_errors'))


def _record_stats(session, amphora_id, message):
    """Per listener counters.  From message version 3 on, counters are
    deltas since the last heartbeat (the agent keeps the totals across
    HAProxy reloads) and add up; before, they are absolute.  Active
    connections are always a level."""
    listeners = message.get('listeners')
    if not isinstance(listeners, dict):
        return
    deltas = message.get('ver', 0) >= 3
    known = set(session.scalars(sa.select(models.Listener.id).where(
        models.Listener.id.in_(list(listeners)))))
    for listener_id, report in listeners.items():
        stats = report.get('stats') if isinstance(report, dict) else None
        if listener_id not in known or not isinstance(stats, dict):
            continue
        row = session.get(models.ListenerStatistics,
                          (listener_id, amphora_id))
        if row is None:
            row = models.ListenerStatistics(
                listener_id=listener_id, amphora_id=amphora_id, bytes_in=0,
                bytes_out=0, active_connections=0, total_connections=0,
                request_errors=0)
            session.add(row)
        for key, column in _COUNTERS:
            value = int(stats.get(key, 0))
            setattr(row, column,
                    getattr(row, column) + value if deltas else value)
        row.active_connections = int(stats.get('conns', 0))


def _claim(model, key, row_id, expired):
    """Atomic claim of a stale health row: of several health managers
    (or threads) only the one whose UPDATE matched goes on; plain SQL,
    the same on SQLite, MariaDB and PostgreSQL."""
    with db_api.session_scope() as session:
        return session.execute(
            sa.update(model)
            .where(getattr(model, key) == row_id,
                   model.busy.is_(False), model.last_update < expired)
            .values(busy=True)
            .execution_options(synchronize_session=False)).rowcount == 1


def _expired():
    return _utcnow() - datetime.timedelta(
        seconds=CONF.health_manager.heartbeat_timeout)


def claim_stale_amphorae():
    """Amphorae whose heartbeats stopped, claimed: [(amphora id, load
    balancer id)].  Nothing is locked or failed over here: the cluster
    manager, woken for each load balancer, decides.  With
    [health_manager] failover_threshold set and reached, none is claimed:
    they all go to FAILOVER_STOPPED (a mass outage is more likely a
    network or database problem than dead amphorae), which the cluster
    manager leaves alone.
    """
    expired = _expired()
    with db_api.session_scope() as session:
        stale = session.execute(
            sa.select(models.Amphora.id, models.Amphora.load_balancer_id)
            .join(models.AmphoraHealth,
                  models.AmphoraHealth.amphora_id == models.Amphora.id)
            .where(models.AmphoraHealth.last_update < expired,
                   models.AmphoraHealth.busy.is_(False),
                   models.Amphora.status == c.ALLOCATED)).all()
        threshold = CONF.health_manager.failover_threshold
        if threshold is not None and len(stale) >= threshold:
            LOG.error('%d amphorae are stale at once (threshold %d): '
                      'failovers stopped', len(stale), threshold)
            session.execute(
                sa.update(models.Amphora)
                .where(models.Amphora.id.in_([a for a, _ in stale]),
                       models.Amphora.status == c.ALLOCATED)
                .values(status=c.FAILOVER_STOPPED)
                .execution_options(synchronize_session=False))
            return []
    return [(amp_id, lb_id) for amp_id, lb_id in stale
            if lb_id is not None and _claim(
                models.AmphoraHealth, 'amphora_id', amp_id, expired)]


def claim_stale_distributors():
    """Distributors whose heartbeats stopped, claimed and set to ERROR
    with a fault (their next heartbeat makes them ACTIVE again); their
    ids."""
    expired = _expired()
    with db_api.session_scope() as session:
        stale = list(session.scalars(
            sa.select(models.DistributorHealth.distributor_id)
            .where(models.DistributorHealth.last_update < expired,
                   models.DistributorHealth.busy.is_(False))))
    claimed = []
    for distributor_id in stale:
        if not _claim(models.DistributorHealth, 'distributor_id',
                      distributor_id, expired):
            continue
        with db_api.session_scope() as session:
            distributor = session.get(models.Distributor, distributor_id)
            if distributor is not None and distributor.status == c.ACTIVE:
                distributor.status = c.ERROR
                distributor.fault = '%s %d s' % (
                    STALE_FAULT, CONF.health_manager.heartbeat_timeout)
        claimed.append(distributor_id)
    return claimed
