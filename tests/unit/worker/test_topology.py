"""Topology strategies decide roles, order and status from plain
objects; no database needed."""
import types

import pytest

from octavia_aa import topology
from octavia_aa.common import constants as c


def amp(role, status=c.ALLOCATED, created=0, id_=None):
    return types.SimpleNamespace(role=role, status=status, created_at=created,
                                 id=id_ or '%s-%s' % (role, created))


def lb(desired=3, min_size=2, standby=1, amphorae=()):
    cluster = types.SimpleNamespace(desired_size=desired, min_size=min_size,
                                    standby_count=standby)
    return types.SimpleNamespace(id='lb', cluster=cluster,
                                 amphorae=list(amphorae))


def test_get_returns_one_strategy_per_topology():
    for name in c.SUPPORTED_TOPOLOGIES:
        assert topology.get(name).name == name
    with pytest.raises(ValueError, match='unknown topology'):
        topology.get('ACTIVE_PASSIVE_AGGRESSIVE')


def test_roles():
    assert topology.get(c.TOPOLOGY_SINGLE).amphora_roles(lb()) == [
        c.ROLE_STANDALONE]
    assert topology.get(c.TOPOLOGY_ACTIVE_STANDBY).amphora_roles(lb()) == [
        c.ROLE_MASTER, c.ROLE_BACKUP]
    assert topology.get(c.TOPOLOGY_ACTIVE_ACTIVE).amphora_roles(
        lb(desired=3, standby=2)) == [c.ROLE_IN_CLUSTER] * 3 + [
            c.ROLE_IN_CLUSTER_STANDBY] * 2


def test_active_active_needs_a_cluster():
    no_cluster = types.SimpleNamespace(id='lb', cluster=None)
    with pytest.raises(ValueError, match='no cluster row'):
        topology.get(c.TOPOLOGY_ACTIVE_ACTIVE).amphora_roles(no_cluster)


@pytest.mark.parametrize('online,expected', [
    (4, (c.ONLINE, c.ONLINE)),       # all of 3 + 1 standby
    (3, (c.DEGRADED, c.DEGRADED)),
    (2, (c.DEGRADED, c.DEGRADED)),   # exactly min_size
    (1, (c.ERROR, c.DOWN)),          # below min_size
    (0, (c.ERROR, c.DOWN)),
])
def test_active_active_roll_up(online, expected):
    strategy = topology.get(c.TOPOLOGY_ACTIVE_ACTIVE)
    assert strategy.roll_up(lb(3, 2, 1), [object()] * online) == expected


@pytest.mark.parametrize('name,online,expected', [
    (c.TOPOLOGY_SINGLE, 1, c.ONLINE), (c.TOPOLOGY_SINGLE, 0, c.ERROR),
    (c.TOPOLOGY_ACTIVE_STANDBY, 2, c.ONLINE),
    (c.TOPOLOGY_ACTIVE_STANDBY, 1, c.DEGRADED),
    (c.TOPOLOGY_ACTIVE_STANDBY, 0, c.ERROR),
])
def test_other_roll_ups(name, online, expected):
    assert topology.get(name).roll_up(lb(), [object()] * online) == (
        expected, None)


def test_failover_order_puts_standbys_first():
    aa = topology.get(c.TOPOLOGY_ACTIVE_ACTIVE)
    order = aa.failover_order([amp(c.ROLE_IN_CLUSTER, created=1),
                               amp(c.ROLE_IN_CLUSTER_STANDBY),
                               amp(c.ROLE_IN_CLUSTER, created=2)])
    assert [a.role for a in order] == [c.ROLE_IN_CLUSTER_STANDBY,
                                       c.ROLE_IN_CLUSTER, c.ROLE_IN_CLUSTER]
    act = topology.get(c.TOPOLOGY_ACTIVE_STANDBY)
    order = act.failover_order([amp(c.ROLE_MASTER), amp(c.ROLE_BACKUP)])
    assert [a.role for a in order] == [c.ROLE_BACKUP, c.ROLE_MASTER]


def test_replacement_becomes_the_standby_when_there_is_one():
    aa = topology.get(c.TOPOLOGY_ACTIVE_ACTIVE)
    failed = amp(c.ROLE_IN_CLUSTER)
    assert aa.replacement_role(lb(standby=1), failed) == (
        c.ROLE_IN_CLUSTER_STANDBY)
    assert aa.replacement_role(lb(standby=0), failed) == c.ROLE_IN_CLUSTER
    single = topology.get(c.TOPOLOGY_SINGLE)
    assert single.replacement_role(lb(), amp(c.ROLE_STANDALONE)) == (
        c.ROLE_STANDALONE)


def test_resize_plan_grows_and_shrinks_newest_first():
    aa = topology.get(c.TOPOLOGY_ACTIVE_ACTIVE)
    amps = [amp(c.ROLE_IN_CLUSTER, created=i) for i in range(3)] + [
        amp(c.ROLE_IN_CLUSTER_STANDBY, created=9),
        amp(c.ROLE_IN_CLUSTER, status=c.ERROR, created=5)]
    add, remove = aa.resize_plan(lb(desired=5, standby=1, amphorae=amps))
    assert (add, remove) == ([c.ROLE_IN_CLUSTER] * 2, [])
    add, remove = aa.resize_plan(lb(desired=1, standby=0, amphorae=amps))
    assert add == []
    assert remove == ['IN_CLUSTER-1', 'IN_CLUSTER-2',
                      'IN_CLUSTER_STANDBY-9']


def test_only_clusters_resize():
    with pytest.raises(ValueError, match='no cluster to resize'):
        topology.get(c.TOPOLOGY_SINGLE).resize_plan(lb())
