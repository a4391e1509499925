"""What a heartbeat or its absence means for the database."""
import datetime
import logging

import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.db import api as db_api
from octavia_aa.db import models

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def record_heartbeat(message):
    """Refresh the health row of the amphora or distributor that sent the
    (already verified) message; returns 'amphora', 'distributor' or None
    for a sender we do not know."""
    sender = message.get('id')
    if not isinstance(sender, str):
        return None
    now = _utcnow()
    with db_api.session_scope() as session:
        if session.get(models.Distributor, sender) is not None:
            health = session.get(models.DistributorHealth, sender)
            if health is None:
                session.add(models.DistributorHealth(distributor_id=sender,
                                                     last_update=now))
            else:
                health.last_update = now
            return 'distributor'
        amp = session.get(models.Amphora, sender)
        if amp is None:
            LOG.warning('Heartbeat from unknown sender %s', sender)
            return None
        if amp.status == c.FAILOVER_STOPPED:
            # Back from a mass outage: it is alive, let it be managed again.
            amp.status = c.ALLOCATED
        health = session.get(models.AmphoraHealth, sender)
        if health is None:
            session.add(models.AmphoraHealth(amphora_id=sender,
                                             last_update=now))
        else:
            health.last_update = now
        _record_stats(session, sender, message)
        return 'amphora'


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


def claim_stale_amphorae():
    """Amphorae whose heartbeats stopped, claimed for failover.

    Each claimed amphora's health row is marked busy and its load
    balancer locked PENDING_UPDATE in one transaction, exactly as the API
    does before casting failover_amphora.  An amphora whose load balancer
    is busy with something else waits for the next check.  With
    [health_manager] failover_threshold set and reached, none is failed
    over: they all go to FAILOVER_STOPPED (a mass outage is more likely a
    network or database problem than dead amphorae).
    """
    expired = _utcnow() - datetime.timedelta(
        seconds=CONF.health_manager.heartbeat_timeout)
    claimed = []
    with db_api.session_scope() as session:
        stale = list(session.scalars(
            sa.select(models.Amphora)
            .join(models.AmphoraHealth,
                  models.AmphoraHealth.amphora_id == models.Amphora.id)
            .where(models.AmphoraHealth.last_update < expired,
                   models.AmphoraHealth.busy.is_(False),
                   models.Amphora.status == c.ALLOCATED)))
        threshold = CONF.health_manager.failover_threshold
        if threshold is not None and len(stale) >= threshold:
            LOG.error('%d amphorae are stale at once (threshold %d): '
                      'failovers stopped', len(stale), threshold)
            for amp in stale:
                amp.status = c.FAILOVER_STOPPED
            return []
        for amp in stale:
            lb = amp.load_balancer
            if lb is None or lb.provisioning_status != c.ACTIVE:
                continue
            lb.provisioning_status = c.PENDING_UPDATE
            session.get(models.AmphoraHealth, amp.id).busy = True
            claimed.append(amp.id)
    return claimed
