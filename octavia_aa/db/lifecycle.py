"""The provisioning-status state machine and the operating-status
roll-up: every component (API, worker flows, cluster manager, health
manager) moves objects through these functions, so that a lock, an
unlock, an ERROR with its fault and a roll-up mean the same thing
wherever they happen.

    ACTIVE --lock (API, cluster manager)--> PENDING_*
    PENDING_* --flow done--> ACTIVE (fault cleared), roll-up
    PENDING_* --flow reverted / plan impossible / worker gone--> ERROR
              with a fault that says why

Locking is a test-and-set: an UPDATE ... WHERE provisioning_status IN
(allowed) is atomic on every backend (SQLite included, where SELECT FOR
UPDATE does not exist), so two racing writers cannot both win: the loser
sees rowcount 0 and gets 409 (or, for a background lock, False).

Operating status: an amphora counts as ONLINE when it is ALLOCATED and
its last heartbeat is not older than [health_manager] heartbeat_timeout.
One that never sent a heartbeat has no amphora_health row and counts as
ONLINE for the cluster's sake (a freshly built amphora is assumed up
until the health manager has heard otherwise), but a load balancer none
of whose amphorae ever reported is OFFLINE, as upstream Octavia shows it
(with the noop drivers that is for good).  How the count turns into the
load balancer's status is the topology's business.
"""
import datetime

import sqlalchemy as sa

from octavia_aa import topology
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models
from octavia_aa.db.queries import amphora as amphora_q

CONF = config.CONF

# The fault column's length.
FAULT_LEN = 1024


# --- locks --------------------------------------------------------------

def _test_and_set(session, model, obj_id, allowed, new_status):
    result = session.execute(
        sa.update(model).where(model.id == obj_id,
                               model.provisioning_status.in_(allowed))
        .values(provisioning_status=new_status)
        .execution_options(synchronize_session=False))
    return result.rowcount == 1


def lock_object(session, obj, display, allowed=c.MUTABLE_STATUSES,
                new_status=c.PENDING_UPDATE):
    """Move obj to new_status if it is in `allowed`, or 409."""
    if not _test_and_set(session, type(obj), obj.id, allowed, new_status):
        raise exceptions.ImmutableObject(display, obj.id)
    obj.provisioning_status = new_status


def lock_load_balancer(session, lb, allowed=c.MUTABLE_STATUSES,
                       new_status=c.PENDING_UPDATE, listeners=True):
    """Move the LB (and its ACTIVE listeners) to PENDING_*, or 409."""
    lock_object(session, lb, 'Load Balancer', allowed, new_status)
    if listeners:
        session.execute(
            sa.update(models.Listener)
            .where(models.Listener.load_balancer_id == lb.id,
                   models.Listener.provisioning_status == c.ACTIVE)
            .values(provisioning_status=c.PENDING_UPDATE)
            .execution_options(synchronize_session=False))


def lock_distributor_for_delete(session, distributor):
    """PENDING_DELETE unless a flow holds the distributor (PENDING_*),
    or 409 (distributors have a plain `status`)."""
    model = type(distributor)
    if session.execute(
            sa.update(model)
            .where(model.id == distributor.id,
                   model.status.notin_(c.PENDING_STATUSES))
            .values(status=c.PENDING_DELETE)
            .execution_options(synchronize_session=False)).rowcount != 1:
        raise exceptions.ImmutableObject('Distributor', distributor.id)


def lock_distributor_for_failover(session, distributor):
    """PENDING_UPDATE from ACTIVE or ERROR (an operator's failover), or
    409 naming the status it is in."""
    model = type(distributor)
    if session.execute(
            sa.update(model)
            .where(model.id == distributor.id,
                   model.status.in_((c.ACTIVE, c.ERROR)))
            .values(status=c.PENDING_UPDATE)
            .execution_options(synchronize_session=False)).rowcount != 1:
        raise exceptions.Conflict(
            'Distributor %s is %s: only an ACTIVE or ERROR distributor can '
            'be failed over.' % (distributor.id, distributor.status))


def try_lock_for_repair(session, lb, cluster=False):
    """A background lock (cluster manager, a flavor's new sizes): ACTIVE
    to PENDING_UPDATE as the API would lock it, and the cluster too when
    `cluster`; False, not 409, when someone else holds it."""
    won = _test_and_set(session, type(lb), lb.id, (c.ACTIVE,),
                        c.PENDING_UPDATE)
    if won and cluster:
        lb.cluster.provisioning_status = c.PENDING_UPDATE
    return won


# --- ends of a change ---------------------------------------------------

# The fault of an object whose cast the worker never received.
CAST_FAILED = 'The worker could not be reached: %s'


def activate(obj):
    obj.provisioning_status = c.ACTIVE
    obj.fault = None


def to_error(obj, fault):
    """ERROR with the reason as its fault (amphorae and distributors have
    a plain `status`)."""
    if obj is None:
        return
    if hasattr(obj, 'provisioning_status'):
        obj.provisioning_status = c.ERROR
    else:
        obj.status = c.ERROR
    obj.fault = fault[:FAULT_LEN]


def unlock(lb):
    """Load balancer and listeners locked by the API back to ACTIVE."""
    if lb.provisioning_status in c.PENDING_STATUSES:
        activate(lb)
    for lst in lb.listeners:
        if lst.provisioning_status == c.PENDING_UPDATE:
            lst.provisioning_status = c.ACTIVE


def release(lb):
    """unlock(), and the cluster too if it was locked."""
    unlock(lb)
    if lb.cluster is not None and (
            lb.cluster.provisioning_status in c.PENDING_STATUSES):
        activate(lb.cluster)


def finish(session, lb):
    """A flow on the load balancer is done: release it and roll up."""
    release(lb)
    session.flush()
    roll_up(session, lb)


def fail_load_balancer(lb, fault, cluster_always=False):
    """The load balancer (and its locked cluster, or its cluster
    whatever its state with cluster_always) to ERROR with `fault`; its
    listeners are unlocked."""
    unlock(lb)
    to_error(lb, fault)
    if lb.cluster is not None and (
            cluster_always or
            lb.cluster.provisioning_status in c.PENDING_STATUSES):
        to_error(lb.cluster, fault)


def fail_children(lb, fault):
    """Children a dead flow left PENDING_*: ERROR with `fault` (whether
    their change reached the amphorae is unknown)."""
    for obj in _children(lb):
        if obj.provisioning_status in c.PENDING_STATUSES:
            to_error(obj, fault)


def _children(lb):
    for lst in lb.listeners:
        yield lst
        for policy in lst.l7policies:
            yield policy
            yield from policy.rules
    for pool in lb.pools:
        yield pool
        yield from pool.members
        if pool.health_monitor is not None:
            yield pool.health_monitor


# --- operating status ---------------------------------------------------

def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _online(rows):
    expired = _utcnow() - datetime.timedelta(
        seconds=CONF.health_manager.heartbeat_timeout)
    return [amp for amp, last in rows if last is None or last >= expired]


def online_amphorae(session, lb_id):
    """ALLOCATED amphorae of the load balancer that are not stale."""
    return _online(amphora_q.allocated_with_heartbeat(session, lb_id))


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
    rows = amphora_q.allocated_with_heartbeat(session, lb.id)
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
