"""IPAM on the machine's real MariaDB (REPEATABLE READ) and PostgreSQL
(READ COMMITTED): 500 concurrent allocations in transactions that began
before their rivals committed all succeed, each on an address of its
own; an owner allocating again (a flow resumed after a crash) gets its
row back; the housekeeping sweep frees addresses whose owner is gone."""
import concurrent.futures
import datetime
import random
import threading

import pytest
import sqlalchemy as sa

from octavia_aa.common import drivers
from octavia_aa.controller.housekeeping import addresses
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.network import ipam
from octavia_aa.network import subnets
from tests.functional.dbservers import any_db  # noqa: F401
from tests.functional.worker import helpers as h
from tests.functional.worker.conftest import db  # noqa: F401
from tests.functional.worker.conftest import test_plugins  # noqa: F401

ALLOCATIONS = 500
THREADS = 40
# Twice as many addresses as allocations: half the range stays free.
SUBNET = subnets.Subnet(
    id='5c1e0d8e-4f7a-4c1b-9a53-0d9f6a7e2b11', name='ipam-test',
    network_id='6d2f1e9f-5a8b-4d2c-8b64-1eaf7b8f3c22',
    network_name='ipam-test-net', cidr='fd00:aa::/64',
    gateway_ip='fd00:aa::1', allocation_start='fd00:aa::2',
    allocation_end='fd00:aa::3e9', mtu=1500)


# The servers whose isolation levels differ (SQLite serialises writers).
servers = pytest.mark.parametrize('any_db', ['mariadb', 'postgresql'],
                                  indirect=True)


def allocations():
    return h.rows(models.IpAllocation)


@servers
def test_concurrent_allocations_all_succeed(any_db):
    failures = []
    lock = threading.Lock()

    def allocate(n):
        try:
            with db_api.session_scope() as session:
                # As the API's create does: the transaction reads (and so,
                # under REPEATABLE READ, takes its snapshot) before it
                # allocates, while its rivals commit.
                session.scalar(sa.select(sa.func.count()).select_from(
                    models.IpAllocation))
                threading.Event().wait(random.uniform(0, 0.02))
                return ipam.allocate(SUBNET, 'vip:%d' % n, session=session)
        except Exception as exc:
            with lock:
                failures.append(repr(exc))

    with concurrent.futures.ThreadPoolExecutor(THREADS) as pool:
        results = list(pool.map(allocate, range(ALLOCATIONS)))
    assert failures == []
    addresses_given = [r[0] for r in results]
    assert len(set(addresses_given)) == ALLOCATIONS
    rows = allocations()
    assert len(rows) == ALLOCATIONS
    assert {r.ip_address for r in rows} == set(addresses_given)


@servers
def test_allocation_is_idempotent_per_owner(any_db):
    first = ipam.allocate(SUBNET, 'amphora:a1')
    # The worker dies here; the resumed flow allocates again.
    again = ipam.allocate(SUBNET, 'amphora:a1')
    assert again == first
    assert len(allocations()) == 1
    # Another purpose of the same object is another owner.
    other = ipam.allocate(SUBNET, 'member:a1:%s' % SUBNET.id)
    assert other[0] != first[0]
    # Naming a different address for an owner that holds one is refused.
    with pytest.raises(Exception, match='already holds'):
        ipam.allocate(SUBNET, 'amphora:a1', ip_address='fd00:aa::3e9')
    assert len(allocations()) == 2


@servers
def test_sweep_frees_addresses_whose_owner_is_gone(any_db):
    subnet = subnets.find('public-subnet')
    lb_id = h.make_lb(desired=1, standby=0)
    kept = ipam.allocate(subnet, 'vip:' + lb_id)
    gone_lb = ipam.allocate(subnet, 'vip:0e7c9a52-6d1f-4c8e-a1b2-3c4d5e6f7a80')
    gone_amp = ipam.allocate(subnet,
                             'amphora:1f8dab63-7e2a-4d9f-b2c3-4d5e6f7a8b91')
    gone_member = ipam.allocate(
        subnet, 'member:1f8dab63-7e2a-4d9f-b2c3-4d5e6f7a8b91:%s' % subnet.id)
    unknown = ipam.allocate(subnet, 'something-else:x')
    # Too young to judge: an owner row may still be on its way.
    assert addresses.sweep() == 0
    with db_api.session_scope() as session:
        session.execute(sa.update(models.IpAllocation).values(
            created_at=datetime.datetime(2000, 1, 1)))
    assert addresses.sweep() == 3
    left = {r.port_id for r in allocations()}
    assert left == {kept[1], unknown[1]}
    for gone in (gone_lb, gone_amp, gone_member):
        assert gone[1] not in left
    assert addresses.sweep() == 0
    # A deleted load balancer's VIP goes too.
    with db_api.session_scope() as session:
        session.execute(sa.delete(models.Vip))
        session.execute(sa.delete(models.Cluster))
        session.execute(sa.delete(models.LoadBalancer))
    assert addresses.sweep() == 1
    assert {r.port_id for r in allocations()} == {unknown[1]}
    drivers.reset()
