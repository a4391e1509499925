"""Address allocations (ip_allocation) of the configured subnets: what
the netns and noop network drivers' IPAM and the housekeeping sweep
read and write."""
import sqlalchemy as sa

from octavia_aa.db import models

Alloc = models.IpAllocation


def held(session, subnet_id, owner):
    """(ip_address, port_id) owner already holds on the subnet, or None."""
    row = session.execute(
        sa.select(Alloc.ip_address, Alloc.port_id)
        .where(Alloc.subnet_id == subnet_id, Alloc.owner == owner)
        .order_by(Alloc.created_at)).first()
    return tuple(row) if row else None


def used_addresses(session, subnet_id):
    return set(session.scalars(sa.select(Alloc.ip_address).where(
        Alloc.subnet_id == subnet_id)))


def taken(session, subnet_id, address):
    return session.scalar(sa.select(Alloc.port_id).where(
        Alloc.subnet_id == subnet_id,
        Alloc.ip_address == address)) is not None


def release_port(session, port_id):
    session.execute(sa.delete(Alloc).where(Alloc.port_id == port_id))


def release_owner(session, owner):
    session.execute(sa.delete(Alloc).where(Alloc.owner == owner))


def of_owner(session, owner):
    """The owner's allocations."""
    return list(session.scalars(sa.select(Alloc).where(
        Alloc.owner == owner)))


def port_ids_of_owner(session, owner):
    return list(session.scalars(sa.select(Alloc.port_id).where(
        Alloc.owner == owner)))


def owners_like(session, pattern):
    """Owners matching the SQL LIKE pattern."""
    return set(session.scalars(sa.select(Alloc.owner).where(
        Alloc.owner.like(pattern))))


def owned_before(session, cutoff):
    """[(port_id, owner)] of the allocations with an owner, made before
    `cutoff`."""
    return session.execute(
        sa.select(Alloc.port_id, Alloc.owner)
        .where(Alloc.created_at < cutoff, Alloc.owner.is_not(None))).all()
