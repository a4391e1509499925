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
        return 'amphora'


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
