"""Address allocation from the declared subnets, kept in the database.

The primary key (subnet_id, ip_address) makes a double allocation
impossible: two allocators racing for one address see a duplicate-entry
error inside a savepoint and the loser takes the next free one.  Passing
the caller's session makes the allocation part of the caller's
transaction, so a failed create leaves no address behind.  Addresses are
picked at random in the allocation range (like Neutron), so allocating
does not read every address already handed out.
"""
import contextlib
import ipaddress
import random

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
import sqlalchemy as sa

from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db import models


@contextlib.contextmanager
def _session(session):
    if session is not None:
        yield session
    else:
        with db_api.session_scope() as own:
            yield own


def _candidates(subnet, used):
    addr = ipaddress.ip_address(subnet.allocation_start)
    end = ipaddress.ip_address(subnet.allocation_end)
    while addr <= end:
        if str(addr) not in used:
            yield str(addr)
        addr += 1


def allocate(subnet, owner, ip_address=None, session=None, attempts=20):
    """Allocate an address (the given one, or the lowest free); returns
    (ip_address, port_id)."""
    if ip_address is not None and ipaddress.ip_address(
            ip_address) not in ipaddress.ip_network(subnet.cidr):
        raise exceptions.InvalidInput(
            'vip_address', ip_address, 'It is not in subnet %s (%s).'
            % (subnet.name, subnet.cidr))
    port_id = uuidutils.generate_uuid()
    taken = exceptions.Conflict('IP address %s is already allocated on '
                                'subnet %s.' % (ip_address, subnet.name))
    with _session(session) as s:
        if ip_address is None:
            # A few random probes first: on a subnet that is not nearly
            # full one of them is free, and no allocated address is read.
            start = int(ipaddress.ip_address(subnet.allocation_start))
            end = int(ipaddress.ip_address(subnet.allocation_end))
            for _ in range(3):
                probe = str(ipaddress.ip_address(random.randint(start, end)))
                if _try_insert(s, subnet, probe, port_id, owner):
                    return probe, port_id
        for _ in range(attempts):
            used = set(s.scalars(sa.select(models.IpAllocation.ip_address)
                                 .where(models.IpAllocation.subnet_id ==
                                        subnet.id)))
            if ip_address is not None:
                if ip_address in used:
                    raise taken
                choice = ip_address
            else:
                choice = next(_candidates(subnet, used), None)
                if choice is None:
                    raise exceptions.Conflict(
                        'No free IP address left on subnet %s.'
                        % subnet.name)
            if _try_insert(s, subnet, choice, port_id, owner):
                return choice, port_id
            if ip_address is not None:
                raise taken
    raise exceptions.Conflict('Could not allocate an address on subnet %s.'
                              % subnet.name)


def _try_insert(session, subnet, address, port_id, owner):
    """Insert the allocation in a savepoint; False if it is taken."""
    if session.scalar(sa.select(models.IpAllocation.port_id).where(
            models.IpAllocation.subnet_id == subnet.id,
            models.IpAllocation.ip_address == address)) is not None:
        return False
    try:
        with session.begin_nested():
            session.add(models.IpAllocation(
                subnet_id=subnet.id, ip_address=address, port_id=port_id,
                owner=owner))
        return True
    except db_exc.DBDuplicateEntry:
        return False


def release(port_id, session=None):
    with _session(session) as s:
        s.execute(sa.delete(models.IpAllocation).where(
            models.IpAllocation.port_id == port_id))
