"""Address allocation from the declared subnets, kept in the database.

The primary key (subnet_id, ip_address) makes a double allocation
impossible: two allocators racing for one address see an IntegrityError
and the loser takes the next free one.
"""
import ipaddress

from oslo_db import exception as db_exc
from oslo_utils import uuidutils
import sqlalchemy as sa

from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db import models


def _candidates(subnet):
    start = ipaddress.ip_address(subnet.allocation_start)
    end = ipaddress.ip_address(subnet.allocation_end)
    addr = start
    while addr <= end:
        yield str(addr)
        addr += 1


def allocate(subnet, owner, ip_address=None, attempts=20):
    """Allocate an address (a given one, or the lowest free); returns
    (ip_address, port_id).  Each try is its own transaction so a
    conflicting insert never poisons the caller's session."""
    port_id = uuidutils.generate_uuid()
    for _ in range(attempts):
        with db_api.session_scope() as session:
            used = set(session.scalars(
                sa.select(models.IpAllocation.ip_address).where(
                    models.IpAllocation.subnet_id == subnet.id)))
        if ip_address is not None:
            if not ipaddress.ip_address(ip_address) in ipaddress.ip_network(
                    subnet.cidr):
                raise exceptions.InvalidInput(
                    'vip_address', ip_address,
                    'it is not in subnet %s (%s)' % (subnet.name,
                                                     subnet.cidr))
            if ip_address in used:
                raise exceptions.Conflict(
                    'IP address %s is already allocated on subnet %s.'
                    % (ip_address, subnet.name))
            choice = ip_address
        else:
            choice = next((a for a in _candidates(subnet) if a not in used),
                          None)
            if choice is None:
                raise exceptions.Conflict(
                    'No free IP address left on subnet %s.' % subnet.name)
        try:
            with db_api.session_scope() as session:
                session.add(models.IpAllocation(
                    subnet_id=subnet.id, ip_address=choice, port_id=port_id,
                    owner=owner))
            return choice, port_id
        except db_exc.DBDuplicateEntry:
            if ip_address is not None:
                raise exceptions.Conflict(
                    'IP address %s is already allocated on subnet %s.'
                    % (ip_address, subnet.name))
    raise exceptions.Conflict('Could not allocate an address on subnet %s.'
                              % subnet.name)


def release(port_id, session=None):
    stmt = sa.delete(models.IpAllocation).where(
        models.IpAllocation.port_id == port_id)
    if session is not None:
        session.execute(stmt)
        return
    with db_api.session_scope() as s:
        s.execute(stmt)
