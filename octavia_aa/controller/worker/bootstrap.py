"""What octavia-aa-all sets up on start so that a fresh machine serves
ACTIVE_ACTIVE load balancers: the data plane's own preparation (for the
netns drivers: local CAs and the management network) and, when the
database has no distributor at all, a distributor pair (or one)."""
import logging

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import rpc
from octavia_aa.controller.worker import machines
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import distributor as distributor_q

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _new_distributors(mode):
    """Rows for `mode` ('pair' or 'single'), inserted only if the table is
    empty; returns their ids (none when distributors exist)."""
    with db_api.session_scope() as session:
        if distributor_q.count(session):
            return []
        if mode == 'single':
            rows = [models.Distributor(name='distributor-1',
                                       role=c.ROLE_STANDALONE,
                                       status=c.PENDING_CREATE)]
        else:
            # The MASTER names the BACKUP as its peer (DistributorsController
            # accepts the pair in this order too).
            backup = models.Distributor(name='distributor-backup',
                                        role=c.ROLE_BACKUP,
                                        status=c.PENDING_CREATE)
            session.add(backup)
            session.flush()
            rows = [backup, models.Distributor(
                name='distributor-master', role=c.ROLE_MASTER,
                peer_id=backup.id, status=c.PENDING_CREATE)]
        session.add_all(rows)
        session.flush()
        return [r.id for r in rows]


def run():
    """Prepare the data plane (again: the worker service did, and it is
    idempotent) and cast the creation of the distributors (built by the
    worker's flow, like POST /v2/octavia/distributors)."""
    machines.prepare()
    mode = CONF.controller_worker.distributor_bootstrap
    if mode == 'none':
        return []
    ids = _new_distributors(mode)
    for distributor_id in ids:
        rpc.cast('create_distributor', distributor_id=distributor_id)
    if ids:
        LOG.info('Creating %s distributor(s): %s', mode, ', '.join(ids))
    return ids
