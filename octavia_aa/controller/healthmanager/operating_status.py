"""Listener, pool and member operating statuses from one amphora's
heartbeat (upstream Octavia's mapping of HAProxy's report), then the
load balancer's roll-up.

Message (version 3): {"listeners": {id: {"status": "OPEN|FULL", ...}},
"pools": {"<pool_id>:<listener_id>": {"status": "UP|DOWN",
"members": {id: "UP|DOWN|DRAIN|MAINT|no check|..."}}}}.

Only ACTIVE objects of an ACTIVE load balancer are touched: a flow owns
the others.  Writes happen only where a status changes.  In a cluster
every amphora reports the same members; the last report wins, and the
next heartbeat of any amphora corrects it.
"""
from octavia_aa.common import constants as c
from octavia_aa.common import wire
from octavia_aa.db import lifecycle

LISTENER = {wire.LISTENER_OPEN: c.ONLINE, wire.LISTENER_FULL: c.DEGRADED}
POOL = {wire.POOL_UP: c.ONLINE, wire.POOL_DOWN: c.ERROR}
MEMBER_EXACT = {wire.MEMBER_DRAIN: c.DRAINING, wire.MEMBER_MAINT: c.OFFLINE,
                wire.MEMBER_NO_CHECK: c.NO_MONITOR}
KEEP = 'RESTARTING'


def _word(report):
    """The report's status if it is a string (anything else: unknown)."""
    value = report.get('status')
    return value if isinstance(value, str) else None


def member_status(reported, current):
    """Operating status of a member from HAProxy's word for it."""
    if reported is None:
        return current if current == c.NO_MONITOR else c.OFFLINE
    reported = str(reported)
    if reported == KEEP:
        return current
    if reported in MEMBER_EXACT:
        return MEMBER_EXACT[reported]
    if reported.startswith(wire.MEMBER_UP):
        return c.ONLINE
    if reported.startswith(wire.MEMBER_DOWN):
        return c.ERROR
    return current


def _pool_reports(message):
    """{pool_id: report}: keys are "<pool_id>:<listener_id>"."""
    pools = message.get('pools')
    if not isinstance(pools, dict):
        return {}
    return {key.split(':', 1)[0]: report for key, report in pools.items()
            if isinstance(report, dict)}


def changes(lb, message):
    """[(object, new operating status)] the message makes, or None if it
    says nothing (no listeners section) or the load balancer is busy
    with a flow.  Reads only: lb and its listeners, pools and members
    may be ORM objects or plain views with the same attributes."""
    listeners = message.get('listeners')
    if not isinstance(listeners, dict) or lb.provisioning_status != c.ACTIVE:
        return None
    found = []

    def _set(obj, value):
        if obj.provisioning_status == c.ACTIVE and value is not None and (
                obj.operating_status != value):
            found.append((obj, value))
    for lst in lb.listeners:
        report = listeners.get(lst.id)
        if not lst.enabled:
            _set(lst, c.OFFLINE)
        elif isinstance(report, dict):
            _set(lst, LISTENER.get(_word(report), c.ERROR))
        else:
            # Configured and enabled, yet HAProxy does not serve it.
            _set(lst, c.ERROR)
    pools = _pool_reports(message)
    for pool in lb.pools:
        report = pools.get(pool.id)
        if not pool.enabled or report is None:
            _set(pool, c.OFFLINE)
            continue
        members = report.get('members')
        members = members if isinstance(members, dict) else {}
        any_down = False
        for member in pool.members:
            value = (c.OFFLINE if not member.enabled else
                     member_status(members.get(member.id),
                                   member.operating_status))
            any_down = any_down or value == c.ERROR
            _set(member, value)
        value = POOL.get(_word(report), c.ERROR)
        if value == c.ONLINE and any_down:
            value = c.DEGRADED
        _set(pool, value)
    return found


def apply(session, lb, message):
    """Set the statuses the message reports, then roll the load balancer
    up; False if it says nothing or the load balancer is busy."""
    found = changes(lb, message)
    if found is None:
        return False
    for obj, value in found:
        obj.operating_status = value
    lifecycle.roll_up_load_balancer(session, lb)
    return True
