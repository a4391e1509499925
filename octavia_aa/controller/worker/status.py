"""Operating-status roll-up and unlocking, shared by every flow's last
step.

An amphora counts as ONLINE when it is ALLOCATED and its last heartbeat is
not older than [health_manager] heartbeat_timeout.  One that never sent a
heartbeat has no amphora_health row and counts as ONLINE, as upstream
Octavia does: a freshly built amphora (and every noop amphora) is assumed
up until the health manager has heard otherwise.  How the count turns into
the load balancer's status is the topology's business.
"""
import datetime

import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.db import models
from octavia_aa import topology

CONF = config.CONF


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def online_amphorae(session, lb_id):
    """ALLOCATED amphorae of the load balancer that are not stale."""
    expired = _utcnow() - datetime.timedelta(
        seconds=CONF.health_manager.heartbeat_timeout)
    rows = session.execute(
        sa.select(models.Amphora, models.AmphoraHealth.last_update)
        .outerjoin(models.AmphoraHealth,
                   models.AmphoraHealth.amphora_id == models.Amphora.id)
        .where(models.Amphora.load_balancer_id == lb_id,
               models.Amphora.status == c.ALLOCATED)).all()
    return [amp for amp, last in rows if last is None or last >= expired]


def _enabled(obj, parent_enabled=True):
    return c.ONLINE if obj.enabled and parent_enabled else c.OFFLINE


# Worse statuses last; a load balancer takes the worst of its amphorae's
# roll-up and of what its listeners and pools report.
_SEVERITY = {c.ONLINE: 0, c.NO_MONITOR: 0, c.DRAINING: 0, c.OFFLINE: 0,
             c.DEGRADED: 1, c.ERROR: 2}
# A child's operating status -> what it means for its load balancer
# (upstream's health mapping: a listener FULL or a member down degrades
# the load balancer, a pool down is an error).
_LISTENER_EFFECT = {c.DEGRADED: c.DEGRADED, c.ERROR: c.DEGRADED}
_POOL_EFFECT = {c.DEGRADED: c.DEGRADED, c.ERROR: c.ERROR}


def _worst(statuses):
    return max(statuses, key=lambda s: _SEVERITY.get(s, 0))


def roll_up_load_balancer(session, lb):
    """Operating status of the load balancer and its cluster from the
    ONLINE amphorae (the topology decides) and the children's statuses
    (set by the health manager).  Level-triggered: the same rows give
    the same result, whoever computes it."""
    strategy = topology.get(lb.topology)
    online = online_amphorae(session, lb.id)
    lb_status, cluster_status = strategy.roll_up(lb, online)
    effects = [lb_status]
    effects += [_LISTENER_EFFECT.get(lst.operating_status, c.ONLINE)
                for lst in lb.listeners if lst.enabled]
    effects += [_POOL_EFFECT.get(pool.operating_status, c.ONLINE)
                for pool in lb.pools if pool.enabled]
    lb.operating_status = _worst(effects) if lb.enabled else c.OFFLINE
    if lb.cluster is not None and cluster_status is not None:
        lb.cluster.operating_status = cluster_status


def roll_up(session, lb):
    """Set operating statuses of the load balancer, its cluster and its
    ACTIVE children from what is observed now (after a flow: children
    start from their configuration, heartbeats refine them)."""
    _roll_up_children(lb)
    roll_up_load_balancer(session, lb)


def _roll_up_children(lb):
    for lst in lb.listeners:
        if lst.provisioning_status == c.ACTIVE:
            lst.operating_status = _enabled(lst, lb.enabled)
        for pol in lst.l7policies:
            if pol.provisioning_status == c.ACTIVE:
                pol.operating_status = _enabled(pol)
            for rule in pol.rules:
                if rule.provisioning_status == c.ACTIVE:
                    rule.operating_status = _enabled(rule)
    for pool in lb.pools:
        hm = pool.health_monitor
        monitored = (hm is not None and hm.enabled and
                     hm.provisioning_status == c.ACTIVE)
        if pool.provisioning_status == c.ACTIVE:
            pool.operating_status = _enabled(pool)
        if hm is not None and hm.provisioning_status == c.ACTIVE:
            hm.operating_status = _enabled(hm)
        for member in pool.members:
            if member.provisioning_status != c.ACTIVE:
                continue
            if not member.enabled:
                member.operating_status = c.OFFLINE
            else:
                # Without a monitor nobody checks the member (Octavia's
                # NO_MONITOR); with one, the health manager refines this.
                member.operating_status = (c.ONLINE if monitored
                                           else c.NO_MONITOR)


def unlock(lb):
    """Load balancer and listeners locked by the API back to ACTIVE."""
    if lb.provisioning_status in c.PENDING_STATUSES:
        lb.provisioning_status = c.ACTIVE
        lb.fault = None
    for lst in lb.listeners:
        if lst.provisioning_status == c.PENDING_UPDATE:
            lst.provisioning_status = c.ACTIVE
