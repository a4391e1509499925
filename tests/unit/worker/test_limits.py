"""connection_limit divided over the amphorae that serve together."""
import types

from octavia_aa import topology
from octavia_aa.common import constants as c
from octavia_aa.controller.worker import limits


def amp(id_, role=c.ROLE_IN_CLUSTER):
    return types.SimpleNamespace(id=id_, role=role)


def test_shares_add_up_to_the_limit():
    for limit in (1, 2, 3, 7, 10, 1000, 1001):
        for n in (1, 2, 3, 5):
            ids = ['a%d' % i for i in range(n)]
            parts = [limits.share(limit, i, ids) for i in ids]
            if limit >= n:
                assert sum(parts) == limit, (limit, n, parts)
                assert max(parts) - min(parts) <= 1
            else:
                # Every sharer keeps one connection: up to n in all.
                assert parts == [1] * n


def test_unlimited_and_unshared_stay():
    assert limits.share(-1, 'a', ['a', 'b']) == -1
    assert limits.share(7, 'a', []) == 7
    # Not a sharer (a standby): the smallest share.
    assert limits.share(7, 'z', ['a', 'b', 'c']) == 2


def _config(*limits_):
    return {'listeners': [{'id': 'l%d' % i, 'connection_limit': v}
                          for i, v in enumerate(limits_)]}


def test_active_active_divides_and_standby_gets_smallest():
    aa = topology.get(c.TOPOLOGY_ACTIVE_ACTIVE)
    amps = [amp('a'), amp('b'), amp('c'),
            amp('s', c.ROLE_IN_CLUSTER_STANDBY)]
    cfg = _config(7, -1)
    got = {a.id: [lst['connection_limit'] for lst in
                  limits.for_amphora(cfg, a, amps, aa)['listeners']]
           for a in amps}
    assert got == {'a': [3, -1], 'b': [2, -1], 'c': [2, -1], 's': [2, -1]}
    assert cfg == _config(7, -1)           # the shared dict is not changed


def test_one_serving_amphora_gets_the_whole_limit():
    for name, roles in ((c.TOPOLOGY_SINGLE, [c.ROLE_STANDALONE]),
                        (c.TOPOLOGY_ACTIVE_STANDBY,
                         [c.ROLE_MASTER, c.ROLE_BACKUP])):
        strategy = topology.get(name)
        amps = [amp('x%d' % i, r) for i, r in enumerate(roles)]
        cfg = _config(7)
        for a in amps:
            assert limits.for_amphora(cfg, a, amps, strategy) is cfg
