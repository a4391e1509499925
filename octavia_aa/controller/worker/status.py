"""Operating-status roll-up and unlocking, shared by every flow's last
step.

An amphora counts as ONLINE when it is ALLOCATED and its last heartbeat is
not older than [health_manager] heartbeat_timeout.  One that never sent a
heartbeat has no amphora_health row and counts as ONLINE for the cluster's
sake (a freshly built amphora is assumed up until the health manager has
heard otherwise), but a load balancer none of whose amphorae ever reported
is OFFLINE, as upstream Octavia shows it (with the noop drivers that is
for good).  How the count turns into the load balancer's status is the
topology's business.
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


def _allocated(session, lb_id):
    """[(amphora, last heartbeat or None)] of the load balancer."""
    return session.execute(
        sa.select(models.Amphora, models.AmphoraHealth.last_update)
        .outerjoin(models.AmphoraHealth,
                   models.AmphoraHealth.amphora_id == models.Amphora.id)
        .where(models.Amphora.load_balancer_id == lb_id,
               models.Amphora.status == c.ALLOCATED)).all()


def _online(rows):
    expired = _utcnow() - datetime.timedelta(
        seconds=CONF.health_manager.heartbeat_timeout)
    return [amp for amp, last in rows if last is None or last >= expired]


def online_amphorae(session, lb_id):
    """ALLOCATED amphorae of the load balancer that are not stale."""
    return _online(_allocated(session, lb_id))


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
    rows = _allocated(session, lb.id)
    if not any(last is not None for _, last in rows):
        # Nothing has reported health yet (and with the noop drivers
        # nothing ever will): OFFLINE, as upstream shows such a load
        # balancer.
        lb.operating_status = c.OFFLINE
        if lb.cluster is not None:
            lb.cluster.operating_status = c.OFFLINE
        return
    lb_status, cluster_status = strategy.roll_up(lb, _online(rows))
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
    """Listeners, pools and members keep what the health manager last
    set from heartbeats (OFFLINE until something reports, as upstream);
    disabled ones, and pools no listener serves, are OFFLINE.  L7
    policies, rules and monitors have no health of their own: ONLINE
    when enabled, as upstream marks them."""
    served = set()
    for lst in lb.listeners:
        if lst.default_pool_id:
            served.add(lst.default_pool_id)
        if lst.provisioning_status == c.ACTIVE and not (
                lst.enabled and lb.enabled):
            lst.operating_status = c.OFFLINE
        for pol in lst.l7policies:
            if pol.redirect_pool_id:
                served.add(pol.redirect_pool_id)
            if pol.provisioning_status == c.ACTIVE:
                pol.operating_status = _enabled(pol)
            for rule in pol.rules:
                if rule.provisioning_status == c.ACTIVE:
                    rule.operating_status = _enabled(rule)
    for pool in lb.pools:
        hm = pool.health_monitor
        if pool.provisioning_status == c.ACTIVE and not (
                pool.enabled and pool.id in served):
            pool.operating_status = c.OFFLINE
        if hm is not None and hm.provisioning_status == c.ACTIVE:
            hm.operating_status = _enabled(hm)
        for member in pool.members:
            if member.provisioning_status == c.ACTIVE and not (
                    member.enabled):
                member.operating_status = c.OFFLINE


def unlock(lb):
    """Load balancer and listeners locked by the API back to ACTIVE."""
    if lb.provisioning_status in c.PENDING_STATUSES:
        lb.provisioning_status = c.ACTIVE
        lb.fault = None
    for lst in lb.listeners:
        if lst.provisioning_status == c.PENDING_UPDATE:
            lst.provisioning_status = c.ACTIVE
