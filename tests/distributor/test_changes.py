"""A change of one load balancer leaves every other one alone.

The agent runs in-process in a scratch netns (no REST, no prober thread)
so the test sees every nftables transaction it makes and can hold a
change half-way.
"""
import re
import threading

from distributor_agent import agent as agent_mod
from distributor_agent import dataplane
from distributor_agent import ruleset
from tests.distributor import lab as lab_mod


def _amps(n, k):
    return [{'id': 'amp-%d-%d' % (n, i), 'mac': '02:bb:00:00:%02x:%02x'
             % (n, i), 'ip': '203.0.113.%d' % (100 + i), 'role': 'ACTIVE',
             'position': i} for i in range(k)]


def _agent(lab, ns):
    agent = agent_mod.Agent(lab_mod.agent_conf(lab.tmp))
    ran = []
    run = agent.dp.nft.run

    def recording(text):
        ran.append(text)
        return run(text)
    agent.dp.nft.run = recording
    return agent, ran


def _plug(agent, n, vip=None):
    lb_id = 'lb-%d' % n
    agent.plug_vip(lb_id, {'vip_address': vip or '198.51.100.%d' % (20 + n),
                           'interface': 'eth0', 'affinity': 'SOURCE_IP'})
    agent.register(lb_id, _amps(n, 3))
    return lb_id


def _listing(ns, kind, name):
    # -a: handles, so a deleted and re-created object shows.
    return lab_mod.sh('nft', '-a', 'list', kind, 'netdev', 'oaa_eth0', name,
                      ns=ns)


def test_a_change_of_one_lb_never_touches_another(lab, caplog):
    ns, _ = lab.node('dc', [('eth0', 'fe', '198.51.100.3/24')])
    with lab_mod.netns(ns):
        agent, ran = _agent(lab, ns)
        a = _plug(agent, 1)
        tag = ruleset.lb_tag(a)
        rules_a = agent._rules(agent.lbs[a])
        # A pinned flow of A, as its traffic would leave it.
        lab_mod.sh('nft', 'add', 'element', 'netdev', 'oaa_eth0',
                   rules_a.flows_map, '{ 198.51.100.77 : %s }'
                   % rules_a.macs[0], ns=ns)
        before = {(k, n): _listing(ns, k, n) for k, n in
                  [('chain', 'lb_' + tag), ('map', rules_a.slots_map),
                   ('set', 'dead_' + tag)]}
        del ran[:]
        # Another load balancer comes, changes in every way, and goes.
        b = _plug(agent, 2)
        agent.drain(b, 'amp-2-1')
        for _ in range(agent.conf.distributor_prober.fall):
            agent.probe_results([(b, 'amp-2-0', False)])
        agent.plug_vip(b, {'vip_address': 'fd00::22', 'interface': 'eth0',
                           'affinity': 'SOURCE_IP_PORT'})
        c = _plug(agent, 3)
        agent.unregister(b, ['amp-2-2'])
        agent.unplug_vip(c)
        assert ran and not [t for t in ran if tag in t]
        for (kind, name), text in before.items():
            assert _listing(ns, kind, name) == text
        pins = _listing(ns, 'map', rules_a.flows_map)
        assert '198.51.100.77' in pins
        assert 'Rebuilding' not in caplog.text
        # A replacement distributor given the same registrations builds
        # the very same tables in one go.
        lab_mod.sh('nft', 'delete', 'element', 'netdev', 'oaa_eth0',
                   rules_a.flows_map, '{ 198.51.100.77 }', ns=ns)
        mac = agent.dp.interface_mac('eth0')
        built = lab_mod.sh('nft', 'list', 'ruleset', ns=ns)
    ns2, _ = lab.node('dr', [('eth0', 'fe', None)])
    with lab_mod.netns(ns2):
        fresh = dataplane.Dataplane()
        fresh.apply({'eth0': [agent._rules(lb) for lb in
                              agent.lbs.values()]}, {'eth0': mac})
    again = lab_mod.sh('nft', 'list', 'ruleset', ns=ns2)
    assert _normalised(again) == _normalised(built)
    assert 'fd00::22' in built and 'lb_' + ruleset.lb_tag(b) in built


def _normalised(text):
    # Element order in a listing follows the kernel's hash table.
    return sorted(re.split(r'[\s,{}]+', text))


def test_failover_proceeds_while_another_lb_is_changing(lab):
    ns, _ = lab.node('df', [('eth0', 'fe', '198.51.100.3/24')])
    with lab_mod.netns(ns):
        agent, _ = _agent(lab, ns)
        a = _plug(agent, 1)
        entered, release = threading.Event(), threading.Event()
        add_vip = agent.dp.add_vip

        def slow_add_vip(interface, vip):
            # LB B's create is stuck half-way, e.g. a slow `ip`.
            if vip == '198.51.100.30':
                entered.set()
                release.wait(30)
            return add_vip(interface, vip)
        agent.dp.add_vip = slow_add_vip
        create = threading.Thread(target=_plug, args=(agent, 10))

        def fail():
            for _ in range(agent.conf.distributor_prober.fall):
                agent.probe_results([(a, 'amp-1-0', False)])
        failover = threading.Thread(target=fail)
        create.start()
        try:
            assert entered.wait(20)
            failover.start()
            failover.join(15)
            done = not failover.is_alive()
            still_creating = create.is_alive()
        finally:
            release.set()
            create.join(30)
            failover.join(30)
        assert done and still_creating
        dead = _listing(ns, 'set', 'dead_' + ruleset.lb_tag(a))
        assert _amps(1, 1)[0]['mac'] in dead
        assert agent.status(a)['amphorae'][0]['state'] == 'FAILED'
        # Both changes are in the state file, as the kernel has them.
        saved = agent_mod.state.load(agent.opts.state_file)
        assert saved['lb-1'].amphorae['amp-1-0'].failed
        assert set(saved) == {'lb-1', 'lb-10'}
