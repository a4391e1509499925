"""Address allocation from the declared subnets, kept in the database.

The primary key (subnet_id, ip_address) makes a double allocation
impossible: two allocators racing for one address see a duplicate-entry
error inside a savepoint and the loser takes the next free one.  Passing
the caller's session makes the allocation part of the caller's
transaction, so a failed create leaves no address behind.
"""
import contextlib
import ipaddress

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
            try:
                with s.begin_nested():
                    s.add(models.IpAllocation(
                        subnet_id=subnet.id, ip_address=choice,
                        port_id=port_id, owner=owner))
                return choice, port_id
            except db_exc.DBDuplicateEntry:
                if ip_address is not None:
                    raise taken
    raise exceptions.Conflict('Could not allocate an address on subnet %s.'
                              % subnet.name)


def release(port_id, session=None):
    with _session(session) as s:
        s.execute(sa.delete(models.IpAllocation).where(
            models.IpAllocation.port_id == port_id))
