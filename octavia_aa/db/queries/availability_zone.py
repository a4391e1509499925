"""Availability zones and their profiles.

A zone row is locked while a load balancer is made in it (shared) and
while it is deleted (exclusive), so that a zone in use cannot go."""
import json

import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.db import models


def zone_data(session, name):
    """The data of the zone's profile (a dict), or {} when the zone is
    gone."""
    raw = session.scalar(
        sa.select(models.AvailabilityZoneProfile.availability_zone_data)
        .join(models.AvailabilityZone)
        .where(models.AvailabilityZone.name == name))
    return json.loads(raw) if raw else {}


def enabled_for_share(session, name):
    """Whether the zone is enabled (None: no such zone), its row
    share-locked until the transaction ends."""
    row = session.execute(
        sa.select(models.AvailabilityZone.enabled)
        .where(models.AvailabilityZone.name == name)
        .with_for_update(read=True)).first()
    return None if row is None else row.enabled


def lock(session, name):
    """The zone's row, locked for update until the transaction ends."""
    session.execute(sa.select(models.AvailabilityZone.name).where(
        models.AvailabilityZone.name == name).with_for_update())


def zone_using_profile(session, profile_id):
    """The name of one zone made from the profile, or None."""
    return session.scalar(sa.select(models.AvailabilityZone.name).where(
        models.AvailabilityZone.availability_zone_profile_id == profile_id)
        .limit(1))


def load_balancer_in(session, name):
    """The id of one load balancer (not DELETED) in the zone, or None."""
    return session.scalar(sa.select(models.LoadBalancer.id).where(
        models.LoadBalancer.availability_zone == name,
        models.LoadBalancer.provisioning_status != c.DELETED).limit(1))
