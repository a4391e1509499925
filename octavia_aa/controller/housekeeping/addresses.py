"""The sweep of addresses whose owner is gone (housekeeping).

An allocation names its owner (``vip:<load balancer>``, ``amphora:<id>``,
``member:<amphora>:<subnet>``, ``distributor:<id>:<subnet>``,
``mgmt:<compute id>``).  A crash between an allocation and the write of
what uses it, or a delete that stopped half-way, can leave a row whose
owner no longer exists; nothing else would ever free it.  Only rows
older than [house_keeping] orphan_address_age are judged (an owner may be
committed a little after its address: a machine's compute id is written
once its build returns), and owners of a kind this module does not know
are left alone.  The network driver releases them, so a driver with
real ports (netns veths) removes those as well.
"""
import datetime
import logging

from octavia_aa.common import config
from octavia_aa.common import drivers
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import ip_allocation as alloc_q
from octavia_aa.db.queries import purge

CONF = config.CONF
LOG = logging.getLogger(__name__)


# Owner kind -> (model, column the owner's id is matched against).
_KINDS = {
    'vip': (models.LoadBalancer, models.LoadBalancer.id),
    'amphora': (models.Amphora, models.Amphora.id),
    'member': (models.Amphora, models.Amphora.id),
    'distributor': (models.Distributor, models.Distributor.id),
}


def orphans(session, now=None):
    """port_ids of the allocations old enough whose owner is gone."""
    now = now or datetime.datetime.now(
        datetime.timezone.utc).replace(tzinfo=None)
    cutoff = now - datetime.timedelta(
        seconds=CONF.house_keeping.orphan_address_age)
    rows = alloc_q.owned_before(session, cutoff)
    wanted = {}
    for port_id, owner in rows:
        kind, _, rest = owner.partition(':')
        if rest:
            wanted.setdefault(kind, []).append((port_id, rest.split(':')[0]))
    found = []
    for kind, entries in wanted.items():
        ids = {ident for _, ident in entries}
        if kind == 'mgmt':
            # A machine's management port: its amphora or distributor
            # names the compute id.
            live = (purge.not_deleted(session, models.Amphora,
                                      models.Amphora.compute_id, ids) |
                    purge.not_deleted(session, models.Distributor,
                                      models.Distributor.compute_id, ids))
        elif kind in _KINDS:
            live = purge.not_deleted(session, *_KINDS[kind], ids)
        else:
            continue
        found.extend(port_id for port_id, ident in entries
                     if ident not in live)
    return found


def sweep():
    """Release every orphaned allocation; returns how many went."""
    with db_api.session_scope() as session:
        found = orphans(session)
    network = drivers.get('network') if found else None
    for port_id in found:
        LOG.warning('Releasing address port %s: its owner is gone', port_id)
        network.release_port(port_id)
    return len(found)
