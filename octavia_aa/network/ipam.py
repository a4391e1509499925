"""Address allocation from the declared subnets, kept in the database.

The primary key (subnet_id, ip_address) makes a double allocation
impossible: two allocators racing for one address see a duplicate-entry
error inside a savepoint and the loser tries another one.  Passing the
caller's session makes the allocation part of the caller's transaction,
so a failed create leaves no address behind.

Allocation is idempotent per owner: an owner (``vip:<lb>``,
``amphora:<id>``, ...; the purpose is part of the name) that already has
an address on the subnet gets that same row back, so a flow resumed
after a crash does not take a second address.

Addresses are picked at random among the free ones (like Neutron), never
the lowest: concurrent allocators then rarely want the same address, and
an address that was found taken is never tried again in the same call.
That matters under REPEATABLE READ (MariaDB's default), where a
transaction's snapshot never shows the rows committed by its rivals:
re-reading the table would offer the same "free" address forever.
"""
import ipaddress
import random

from oslo_db import exception as db_exc
from oslo_utils import uuidutils

from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import ip_allocation as alloc_q

# Random probes before the free addresses are read: on a subnet that is
# not nearly full one of them is free, and no allocated address is read.
PROBES = 3
# Ranges larger than this (IPv6) are not enumerated: random picks in them
# all but never collide.
ENUMERATED = 1 << 16
_random = random.SystemRandom()


def _range(subnet):
    return (int(ipaddress.ip_address(subnet.allocation_start)),
            int(ipaddress.ip_address(subnet.allocation_end)))


def _free(subnet, used):
    """Free addresses of the allocation range, in random order."""
    start, end = _range(subnet)
    used = {int(ipaddress.ip_address(u)) for u in used}
    if end - start >= ENUMERATED:
        picks = (_random.randint(start, end) for _ in range(ENUMERATED))
        free = (n for n in picks if n not in used)
    else:
        free = [n for n in range(start, end + 1) if n not in used]
        _random.shuffle(free)
    return (str(ipaddress.ip_address(n)) for n in free)


def existing(session, subnet_id, owner):
    """(ip_address, port_id) owner already holds on the subnet, or None."""
    return alloc_q.held(session, subnet_id, owner)


def allocate(subnet, owner, ip_address=None, session=None):
    """The address of `owner` on `subnet`: the one it already has, else
    the given one or a random free one.  Returns (ip_address, port_id)."""
    if ip_address is not None and ipaddress.ip_address(
            ip_address) not in ipaddress.ip_network(subnet.cidr):
        raise exceptions.InvalidInput(
            'vip_address', ip_address, 'It is not in subnet %s (%s).'
            % (subnet.name, subnet.cidr))
    with db_api.in_session(session) as s:
        held = existing(s, subnet.id, owner) if owner else None
        if held is not None:
            if ip_address is not None and held[0] != ip_address:
                raise exceptions.Conflict(
                    '%s already holds address %s on subnet %s.'
                    % (owner, held[0], subnet.name))
            return held
        port_id = uuidutils.generate_uuid()
        if ip_address is not None:
            if _try_insert(s, subnet, ip_address, port_id, owner):
                return ip_address, port_id
            raise exceptions.Conflict('IP address %s is already allocated '
                                      'on subnet %s.'
                                      % (ip_address, subnet.name))
        start, end = _range(subnet)
        tried = set()
        for _ in range(PROBES):
            probe = str(ipaddress.ip_address(_random.randint(start, end)))
            if probe not in tried:
                tried.add(probe)
                if _try_insert(s, subnet, probe, port_id, owner):
                    return probe, port_id
        used = alloc_q.used_addresses(s, subnet.id)
        # Under REPEATABLE READ `used` may miss rows committed since this
        # transaction began; those inserts fail and the next one is tried.
        for choice in _free(subnet, set(used) | tried):
            if _try_insert(s, subnet, choice, port_id, owner):
                return choice, port_id
    raise exceptions.Conflict('No free IP address left on subnet %s.'
                              % subnet.name)


def _try_insert(session, subnet, address, port_id, owner):
    """Insert the allocation in a savepoint; False if it is taken."""
    if alloc_q.taken(session, subnet.id, address):
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
    with db_api.in_session(session) as s:
        alloc_q.release_port(s, port_id)


def release_owner(owner, session=None):
    """Every address of owner (idempotent)."""
    with db_api.in_session(session) as s:
        alloc_q.release_owner(s, owner)
