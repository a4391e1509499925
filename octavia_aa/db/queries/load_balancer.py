"""Load-balancer rows and what the API and the cluster manager read
across them."""
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models


def live_ids(session):
    """Ids of the load balancers not DELETED, oldest first."""
    return list(session.scalars(
        sa.select(models.LoadBalancer.id)
        .where(models.LoadBalancer.provisioning_status != c.DELETED)
        .order_by(models.LoadBalancer.created_at)))
