"""Flavors and flavor profiles, and who uses them."""
import sqlalchemy as sa
from sqlalchemy import orm

from octavia_aa.common import constants as c
from octavia_aa.db import models


def flavor_using_profile(session, profile_id):
    """The id of one flavor made from the profile, or None."""
    return session.scalar(sa.select(models.Flavor.id).where(
        models.Flavor.flavor_profile_id == profile_id).limit(1))


def flavor_named(session, name):
    """The id of the flavor called `name`, or None."""
    return session.scalar(sa.select(models.Flavor.id).where(
        models.Flavor.name == name))


def load_balancer_using(session, flavor_id):
    """The id of one load balancer made with the flavor, or None."""
    return session.scalar(sa.select(models.LoadBalancer.id).where(
        models.LoadBalancer.flavor_id == flavor_id).limit(1))


def clusters_of_profile(session, profile_id):
    """The clusters of the load balancers (not DELETED) made from a
    flavor of the profile, each with its load balancer and amphorae."""
    return session.scalars(
        sa.select(models.Cluster).join(models.LoadBalancer).join(
            models.Flavor, models.Flavor.id == models.LoadBalancer.flavor_id)
        .where(models.Flavor.flavor_profile_id == profile_id,
               models.LoadBalancer.provisioning_status != c.DELETED)
        .options(orm.selectinload(models.Cluster.load_balancer)
                 .selectinload(models.LoadBalancer.amphorae))).all()
