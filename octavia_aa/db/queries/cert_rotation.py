"""Agents whose server certificate is due for rotation: amphorae and
distributors alike (both have cert_expiration and cert_busy, as
upstream's amphora), claimed with cert_busy so that two housekeeping
processes never rotate one agent at once."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models

MODELS = (models.Amphora, models.Distributor)
# Machines whose agent answers: being built, deleted or in ERROR, they
# are left to their flows (a rebuilt machine gets a new certificate).
SERVING = (c.ALLOCATED, c.READY, c.ACTIVE)


def claim_expiring(session, model, before):
    """Ids of `model` rows whose certificate expires before `before`,
    now marked cert_busy by this caller."""
    due = list(session.scalars(sa.select(model.id).where(
        model.cert_expiration.is_not(None),
        model.cert_expiration < before,
        model.cert_busy.is_(False),
        model.lb_network_ip.is_not(None),
        model.status.in_(SERVING))))
    claimed = []
    for row_id in due:
        # Conditional: another process may have claimed it meanwhile.
        done = session.execute(sa.update(model).where(
            model.id == row_id, model.cert_busy.is_(False))
            .values(cert_busy=True)).rowcount
        if done:
            claimed.append(row_id)
    return claimed


def release(session, model, row_id, cert_expiration=None):
    """Unmark cert_busy; with cert_expiration, record the new one."""
    values = {'cert_busy': False}
    if cert_expiration is not None:
        values['cert_expiration'] = cert_expiration
    session.execute(sa.update(model).where(model.id == row_id)
                    .values(**values))
