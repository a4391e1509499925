"""Cluster rows."""
import sqlalchemy as sa

from octavia_aa.db import models


def of_load_balancer(session, lb_id):
    """The load balancer's cluster, or None."""
    return session.scalar(sa.select(models.Cluster).where(
        models.Cluster.load_balancer_id == lb_id))
