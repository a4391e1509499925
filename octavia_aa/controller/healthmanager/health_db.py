"""What a heartbeat or its absence means for the database.

A heartbeat is checked field by field: a field that is malformed (a
counter negative, too large or not an integer, a status that is not a
string, a section of the wrong type) is dropped on its own, and the rest
of the message, with the sender's liveness refresh, still counts.  A
stamped heartbeat (boot, seq) not newer than the last one accepted for
its sender is a replay and changes nothing; the last one is kept in the
health row and advanced by a conditional UPDATE, so of several health
managers receiving the same heartbeat (agents send to each of them) one
records it, once.
"""
import datetime
import logging
import time

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import heartbeat
from octavia_aa.common import metrics
from octavia_aa.common import wire
from octavia_aa.controller.healthmanager import operating_status
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models
from octavia_aa.db.queries import amphora as amphora_q
from octavia_aa.db.queries import health as health_q
from octavia_aa.db.queries import heartbeat as heartbeat_q
from octavia_aa.db.queries import takeover as takeover_q

CONF = config.CONF
LOG = logging.getLogger(__name__)
STALE_FAULT = 'no heartbeat for'
# Bounds of what a heartbeat may report: a per-interval delta (or an
# absolute total) beyond 2**53 bytes is not a real counter, and levels
# go in 32-bit columns.
MAX_COUNTER = 1 << 53
MAX_LEVEL = (1 << 31) - 1
BIGINT_MAX = (1 << 63) - 1


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def record_heartbeat(message):
    """Refresh the health row of the amphora or distributor that sent the
    (already verified) message and apply what it reports.

    Returns (kind, load_balancer_ids): kind is 'amphora', 'distributor'
    or None for a sender we do not know or a replay; the ids are load
    balancers the cluster manager must look at now (a distributor
    reported one of their amphorae dead)."""
    sender = message.get('id')
    if not isinstance(sender, str):
        return None, []
    try:
        stamp = heartbeat.order(message)
    except heartbeat.InvalidHeartbeat as exc:
        LOG.warning('Heartbeat from %s dropped: %s', sender, exc)
        return None, []
    now = _utcnow()
    with db_api.session_scope() as session:
        target = heartbeat_q.amphora_target(session, sender)
        if target is not None and _steady(target):
            return _steady_heartbeat(session, sender, target, message, now,
                                     stamp)
        distributor = (None if target is not None else
                       session.get(models.Distributor, sender))
        if distributor is not None:
            health = health_q.advance(session, models.DistributorHealth,
                                      'distributor_id', sender, now, stamp)
            if health is None:
                return None, []
            # Heard again (or rebuilt): its next silence counts again.
            health.busy = False
            if distributor.status == c.ERROR and (
                    distributor.fault or '').startswith(STALE_FAULT):
                # It was only silent, and is back.
                distributor.status = c.ACTIVE
                distributor.fault = None
            return 'distributor', _guarded(
                session, _distributor_reports, session, sender, message) or []
        amp = session.get(models.Amphora, sender)
        if amp is None:
            LOG.warning('Heartbeat from unknown sender %s', sender)
            return None, []
        health = health_q.advance(session, models.AmphoraHealth,
                                  'amphora_id', sender, now, stamp)
        if health is None:
            return None, []
        if amp.status == c.FAILOVER_STOPPED:
            # Back from a mass outage: it is alive, let it be managed again.
            amp.status = c.ALLOCATED
        if amp.status == c.ALLOCATED:
            # Heard again: a later silence may be claimed anew.
            health.busy = False
        _guarded(session, _record_stats, session, sender, message)
        if amp.status == c.ALLOCATED and amp.load_balancer is not None:
            _guarded(session, operating_status.apply, session,
                     amp.load_balancer, message)
        return 'amphora', []


def _steady(target):
    """The common case, taken without ORM objects: an ALLOCATED amphora
    already heard from (its health row exists)."""
    status, _lb_id, _lb_prov, _lb_op, _last, has_health = target
    return status == c.ALLOCATED and has_health


def _steady_heartbeat(session, sender, target, message, now, stamp):
    """What record_heartbeat does for a steady amphora, in Core SQL: the
    health row, the counters, and the statuses only when the heartbeat
    changes one (then through the ORM path, as before)."""
    _status, lb_id, lb_prov, lb_op, last, _has = target
    if not heartbeat_q.advance(session, sender, now, stamp):
        LOG.info('Heartbeat %s of %s is not newer than the last one: '
                 'replay dropped', stamp, sender)
        return None, []
    _guarded(session, _record_stats, session, sender, message)
    if lb_id is not None and lb_prov == c.ACTIVE and _statuses_change(
            session, lb_id, lb_op, last, message):
        _guarded(session, operating_status.apply, session,
                 session.get(models.LoadBalancer, lb_id), message)
    return 'amphora', []


class _View:
    """An object of the load balancer as operating_status.changes reads
    it, from heartbeat_q.status_view rows."""

    def __init__(self, row_id, enabled, provisioning, operating, **more):
        self.id = row_id
        self.enabled = enabled
        self.provisioning_status = provisioning
        self.operating_status = operating
        self.__dict__.update(more)


def _statuses_change(session, lb_id, lb_op, last, message):
    """Whether applying the heartbeat would change a status: a child's
    (operating_status.changes on plain rows), or the load balancer's
    roll-up, which moves when this amphora comes back from stale or the
    load balancer is not ONLINE (OFFLINE until a first report, DEGRADED,
    ERROR: recomputed each time, as before)."""
    if lb_op != c.ONLINE:
        return True
    if last is not None and last < _expired():
        return True
    listeners, pools, members = heartbeat_q.status_view(session, lb_id)
    lb = _View(lb_id, True, c.ACTIVE, lb_op, listeners=[
        _View(*row) for row in listeners], pools=[
        _View(pool_id, *row, members=[_View(*m) for m in members[pool_id]])
        for pool_id, row in pools.items()])
    return bool(operating_status.changes(lb, message))


def _guarded(session, func, *args):
    """func(*args) in a savepoint: a report that still trips on something
    the field checks missed costs that report, not the liveness refresh
    made before it."""
    try:
        with session.begin_nested():
            return func(*args)
    except Exception:
        LOG.exception('Heartbeat report of %s dropped', args[1])
        return None


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
                if isinstance(amp, dict) and
                amp.get('state') == wire.AMPHORA_FAILED]
        if not dead:
            continue
        changed = amphora_q.fail_probed(
            session, lb_id, dead,
            'distributor %s: failed its probes' % distributor_id)
        if changed:
            LOG.warning('Distributor %s reports amphorae %s of load '
                        'balancer %s dead', distributor_id, dead, lb_id)
            _observe_reported(amphorae, dead)
            # Users see DEGRADED (or ERROR) now, not at the next pass.
            lb = session.get(models.LoadBalancer, lb_id)
            if lb is not None:
                lifecycle.roll_up_load_balancer(session, lb)
            wake.append(lb_id)
    return wake


def _observe_reported(amphorae, dead):
    """The distributor moved their slots at failed_at (its clock): the
    first phase of their failovers ends now, with the controller told."""
    now = time.time()
    for amp_id in dead:
        failed = amphorae[amp_id].get('failed_at')
        if isinstance(failed, (int, float)) and not isinstance(failed, bool):
            metrics.FAILOVER_PHASE.labels('amphora', 'reported').observe(
                max(0.0, now - failed))


# A VRRP takeover older than this is not news (and not a real age).
MAX_VRRP_AGE = 24 * 3600.0


def takeover(message):
    """The (verified, recorded) heartbeat of a distributor reporting
    VRRP MASTER: if its peer was not heard from since it became MASTER,
    the peer is claimed and its id returned (the caller raises the
    event), else None.  The age is the agent's, the date ours, so the
    two clocks need not agree."""
    age = message.get('vrrp_age')
    if message.get('vrrp') != wire.VRRP_MASTER or isinstance(age, bool) or \
            not isinstance(age, (int, float)) or not 0 <= age <= MAX_VRRP_AGE:
        return None
    since = _utcnow() - datetime.timedelta(seconds=age)
    with db_api.session_scope() as session:
        return takeover_q.claim_silent_peer(session, message['id'], since)


# Heartbeat stats keys (Octavia's health message) -> our columns.
_COUNTERS = (('rx', 'bytes_in'), ('tx', 'bytes_out'),
             ('totconns', 'total_connections'), ('ereq', 'request_errors'))


def _counter(value, maximum=MAX_COUNTER):
    """A reported counter, or None when it is not one."""
    if isinstance(value, bool) or not isinstance(value, int) or not (
            0 <= value <= maximum):
        return None
    return value


def _record_stats(session, amphora_id, message):
    """Per listener counters.  From message version 3 on, counters are
    deltas since the last heartbeat (the agent keeps the totals across
    HAProxy reloads) and add up; before, they are absolute.  Active
    connections are always a level.  A bad counter is left out."""
    listeners = message.get('listeners')
    if not isinstance(listeners, dict):
        return
    version = message.get('ver')
    deltas = _counter(version) is not None and version >= 3
    reports = {lid: report['stats'] for lid, report in listeners.items()
               if isinstance(report, dict) and
               isinstance(report.get('stats'), dict)}
    if not reports:
        return
    current = heartbeat_q.statistics(session, amphora_id, reports)
    updates, inserts = [], []
    for listener_id, totals in current.items():
        stats = reports[listener_id]
        values = {'listener_id': listener_id}
        dropped = []
        for index, (key, column) in enumerate(_COUNTERS):
            if key not in stats:
                continue
            value = _counter(stats[key])
            if value is None:
                dropped.append(key)
                continue
            before = totals[index] if totals is not None else 0
            values[column] = (min(BIGINT_MAX, before + value) if deltas
                              else value)
        level = _counter(stats.get('conns', 0), MAX_LEVEL)
        if level is None:
            dropped.append('conns')
        else:
            values['active_connections'] = level
        if dropped:
            LOG.warning('Amphora %s reported bad counters %s for listener '
                        '%s: left out', amphora_id, dropped, listener_id)
        if totals is None:
            inserts.append(values)
        elif len(values) > 1:
            updates.append(values)
    # One UPDATE per set of columns (executemany needs the same ones).
    by_columns = {}
    for values in updates:
        by_columns.setdefault(tuple(sorted(values)), []).append(values)
    for group in by_columns.values():
        heartbeat_q.write_statistics(session, amphora_id, group, [])
    heartbeat_q.write_statistics(session, amphora_id, [], inserts)


def _claim(model, key, row_id, expired):
    """Atomic claim of a stale health row: of several health managers
    (or threads) only the one whose UPDATE matched goes on; plain SQL,
    the same on SQLite, MariaDB and PostgreSQL."""
    with db_api.session_scope() as session:
        return health_q.claim_stale(session, model, key, row_id, expired)


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
        stale = health_q.stale_amphorae(session, expired)
        threshold = CONF.health_manager.failover_threshold
        if threshold is not None and len(stale) >= threshold:
            LOG.error('%d amphorae are stale at once (threshold %d): '
                      'failovers stopped', len(stale), threshold)
            amphora_q.stop_failovers(session, [a for a, _ in stale])
            return []
    return [(amp_id, lb_id) for amp_id, lb_id in stale
            if lb_id is not None and _claim(
                models.AmphoraHealth, 'amphora_id', amp_id, expired)]


def compute_state(amphora_id):
    """Why an amphora may have gone quiet, as the compute service sees
    its server (' (its server X is DELETED in the compute service)'),
    or '' when it looks alive or cannot be asked; for the log line that
    says why it is replaced."""
    try:
        with db_api.session_scope() as session:
            amp = session.get(models.Amphora, amphora_id)
            compute_id = amp.compute_id if amp is not None else None
        if not compute_id:
            return ''
        state = drivers.get('compute').status(compute_id)
    except Exception as exc:       # a log line must not stop the check
        return ' (compute service not asked: %s)' % exc
    if state in ('ACTIVE', 'BUILDING'):
        return ''
    return ' (its server %s is %s in the compute service)' % (compute_id,
                                                               state)


def claim_stale_distributors():
    """Distributors whose heartbeats stopped, claimed and set to ERROR
    with a fault (their next heartbeat makes them ACTIVE again); their
    ids."""
    expired = _expired()
    with db_api.session_scope() as session:
        stale = health_q.stale_distributor_ids(session, expired)
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
