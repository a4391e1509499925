"""L7 policies and rules (their order is db/l7_order.py's)."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models


def policy_redirecting_to(session, pool_id):
    """The id of one L7 policy (not DELETED) that redirects to the pool,
    or None."""
    return session.scalar(sa.select(models.L7Policy.id).where(
        models.L7Policy.redirect_pool_id == pool_id,
        models.L7Policy.provisioning_status != c.DELETED).limit(1))


def rule_count(session, policy_id):
    """How many rules (not DELETED) the policy has."""
    return session.scalar(sa.select(sa.func.count()).select_from(
        models.L7Rule).where(models.L7Rule.l7policy_id == policy_id,
                             models.L7Rule.provisioning_status != c.DELETED))
