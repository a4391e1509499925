"""What the cluster manager sees on one load balancer, and what is
wrong with it.  Reads only; manager.py acts on the result."""
import dataclasses
import datetime

from octavia_aa import topology
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.db.queries import amphora as amphora_q

CONF = config.CONF
# Amphora statuses only a running flow may leave an amphora in: with no
# flow on its load balancer (the claim is ours) it is a crashed flow's
# leftover.
HALF_DONE = (c.PENDING_CREATE, c.BOOTING, c.PENDING_DELETE)


def utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def _stale_before():
    return utcnow() - datetime.timedelta(
        seconds=CONF.health_manager.heartbeat_timeout)


@dataclasses.dataclass
class Difference:
    leftovers: list = dataclasses.field(default_factory=list)
    failed: list = dataclasses.field(default_factory=list)
    resize: bool = False

    def __bool__(self):
        return bool(self.leftovers or self.failed or self.resize)


def breaker_open(session):
    """The health manager's circuit breaker, seen from here: so many
    amphorae stale at once that it is more likely the network or the
    database than the amphorae; replacing them all would make it worse."""
    threshold = CONF.health_manager.failover_threshold
    if threshold is None:
        return False
    stale = amphora_q.stale_count(session, _stale_before(),
                                  [c.ALLOCATED, c.FAILOVER_STOPPED])
    return stale >= threshold


def difference(session, lb, breaker=False):
    """Desired against observed for an ACTIVE load balancer."""
    diff = Difference()
    stale = amphora_q.stale_ids(session, lb.id, _stale_before())
    for amp in lb.amphorae:
        if amp.status in HALF_DONE:
            diff.leftovers.append(amp.id)
        elif amp.status == c.ERROR:
            diff.failed.append(amp.id)
        elif amp.status == c.ALLOCATED and amp.id in stale and not breaker:
            diff.failed.append(amp.id)
    # Amphorae the circuit breaker stopped are held, not rebuilt around:
    # building their replacements is what the breaker is there to stop.
    held = breaker or any(a.status == c.FAILOVER_STOPPED
                          for a in lb.amphorae)
    if (lb.cluster is not None and not held and
            lb.cluster.provisioning_status == c.ACTIVE):
        try:
            add, remove = topology.get(lb.topology).resize_plan(lb)
        except ValueError:
            add = remove = ()
        # Replacements first: a failed amphora still counts as present
        # here, and building for it twice would overshoot.  A size change
        # (a flavor profile's new sizes) waits for the cooldown, like a
        # resize through the API.
        diff.resize = (bool(add or remove) and not diff.failed and
                       not lb.cluster.cooldown_left())
    return diff


def overdue(lb):
    """PENDING_* for longer than a worker may take to pick a cast up."""
    since = lb.updated_at or lb.created_at
    return since < utcnow() - datetime.timedelta(
        seconds=CONF.cluster_manager.pending_timeout)
