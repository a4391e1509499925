"""The nftables renderer against the real kernel, in a scratch netns."""
import itertools

from distributor_agent import dataplane
from distributor_agent import ruleset
from distributor_agent import slots
from tests.distributor import lab as lab_mod

MACS = ['02:00:00:00:01:%02x' % i for i in range(4)]


def _rules(lb_id, vip, affinity, down=(), m=1031):
    table = slots.compute(m, range(4), down=down)
    return ruleset.LbRules(lb_id, vip, affinity, [MACS[p] for p in table],
                           [MACS[p] for p in down], m, 7, 60, 1024)


def _objects(dp, table='oaa_eth0'):
    return dp._kernel_objects(table)


def test_converges_every_family_and_affinity_and_cleans_up(lab):
    ns, macs = lab.node('nft', [('eth0', 'fe', None), ('eth1', 'fe', None)])
    with lab_mod.netns(ns):
        dp = dataplane.Dataplane()
        # One VIP per load balancer, as the agent enforces.
        combos = list(itertools.product(
            ['198.51.100.%d', 'fd00::%d'], ruleset.AFFINITIES))
        lbs = [_rules('lb%d' % i, vip % (10 + i), aff)
               for i, (vip, aff) in enumerate(combos)]
        dp.apply({'eth0': lbs}, macs)
        first = lab_mod.sh('nft', 'list', 'ruleset', ns=ns)
        for lb in lbs:
            assert lb.object_names() <= _objects(dp)
        # Idempotent, also for a fresh agent (nothing remembered).
        dp.forget()
        dp.apply({'eth0': lbs}, macs)
        assert lab_mod.sh('nft', 'list', 'ruleset', ns=ns) == first
        # Incremental: only slot and dead-set elements change.
        failed = [_rules(lb.lb_id, lb.vip, lb.affinity, down=[1])
                  for lb in lbs]
        dp.apply({'eth0': failed}, macs)
        fresh = dataplane.Dataplane()
        fresh.apply({'eth0': failed}, macs)     # full converge, same state
        after = lab_mod.sh('nft', 'list', 'ruleset', ns=ns)
        assert MACS[1] not in after.split('set dead_')[0]
        assert after.count(MACS[1]) == len(lbs)   # only in the dead sets
        # Affinity changed: the old flow map goes, nothing else is left.
        changed = [_rules('lb0', '198.51.100.10', 'SOURCE_IP')]
        dp.apply({'eth0': changed}, macs)
        assert _objects(dp) == ruleset.wanted_objects(changed)
        # Interface moved: the old table is dropped.
        dp.apply({'eth1': changed}, macs)
        assert _objects(dp) is None
        assert _objects(dp, 'oaa_eth1') is not None
        dp.apply({}, macs)
        assert 'oaa_' not in lab_mod.sh('nft', 'list', 'ruleset', ns=ns)


def test_stale_tables_of_a_previous_life_are_removed(lab):
    ns, macs = lab.node('nft', [('eth0', 'fe', None)])
    lab_mod.sh('nft', 'add', 'table', 'netdev', 'oaa_gone', ns=ns)
    lab_mod.sh('nft', 'add', 'table', 'netdev', 'someone_else', ns=ns)
    with lab_mod.netns(ns):
        dataplane.Dataplane().remove_stale_tables(['eth0'])
    out = lab_mod.sh('nft', 'list', 'tables', ns=ns)
    assert 'oaa_gone' not in out and 'someone_else' in out
