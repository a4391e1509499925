"""Golden files for the rendered HAProxy configurations, and `haproxy -c`
on each.  UPDATE_GOLDEN=1 rewrites the golden files."""
import os
import shutil
import subprocess

import pytest

from octavia_aa.amphorae.haproxy import peers
from octavia_aa.amphorae.haproxy import render
from tests.amphora import samples
from tests.amphora import tlsutil

GOLDEN = os.path.join(os.path.dirname(__file__), 'golden')
CASES = dict(samples.CASES)
CASES['active_active_peers'] = samples.ACTIVE_ACTIVE
CASES['active_active_http'] = samples.CASES['http_round_robin']


def _render(name):
    if name.startswith('active_active'):
        # As an ACTIVE_ACTIVE amphora gets it: the probe frontend, and
        # HTTP frontends that can be drained.
        peers = samples.PEERS if name == 'active_active_peers' else ()
        return render.render_config(CASES[name], samples.AMP, peers,
                                    probe=('192.0.2.200', 9441))
    return render.render_config(CASES[name], samples.AMP)


@pytest.fixture(scope='module')
def lb_dir(tmp_path_factory):
    d = tmp_path_factory.mktemp('lb')
    tlsutil.write_server_pems(d / 'certs', ['www', 'api'])
    (d / 'drain.acl').write_text('')     # made by the agent
    return d


def haproxy_check(path, lb_dir):
    haproxy = shutil.which('haproxy')
    assert haproxy, 'haproxy must be installed for these tests'
    env = dict(os.environ, LB_DIR=str(lb_dir))
    return subprocess.run([haproxy, '-c', '-f', str(path)], env=env,
                          capture_output=True, text=True, timeout=60)


@pytest.mark.parametrize('name', sorted(CASES))
def test_golden_and_valid(name, lb_dir, tmp_path):
    text = _render(name)
    golden = os.path.join(GOLDEN, name + '.cfg')
    if os.environ.get('UPDATE_GOLDEN'):
        with open(golden, 'w') as f:
            f.write(text)
    with open(golden) as f:
        assert text == f.read()
    cfg = tmp_path / 'haproxy.cfg'
    cfg.write_text(text)
    result = haproxy_check(cfg, lb_dir)
    assert result.returncode == 0, result.stdout + result.stderr


def test_render_does_not_mutate_input():
    import copy
    before = copy.deepcopy(samples.CASES['terminated_https_l7'])
    render.render_config(samples.CASES['terminated_https_l7'], samples.AMP)
    assert samples.CASES['terminated_https_l7'] == before


def test_quote_keeps_user_data_literal():
    assert render.quote("a'b$X") == "'a'\\''b$X'"


@pytest.mark.parametrize('size,expected', [
    (1, [1]), (2, [2]), (3, [3]), (4, [2, 2]), (5, [3, 2]), (6, [3, 3]),
    (7, [3, 2, 2]), (10, [3, 3, 2, 2])])
def test_peer_groups_are_two_or_three(size, expected):
    ids = ['a%02d' % i for i in range(size)]
    groups = peers.groups(reversed(ids))
    assert [len(g) for g in groups] == expected
    assert sorted(sum(groups, [])) == ids


def test_peer_group_of_amphora():
    class A:
        def __init__(self, i):
            self.id, self.lb_network_ip = i, '192.0.2.%d' % int(i[1:])
    amps = [A('a%d' % i) for i in range(1, 6)]
    assert [a.id for a in peers.group_of('a5', amps)] == ['a4', 'a5']
    assert peers.group_of('a1', amps[:1]) == []


def test_only_the_peer_group_is_in_the_peers_section():
    text = render.render_config(samples.ACTIVE_ACTIVE, samples.AMP,
                                samples.PEERS[:2])
    assert text.count('\n    peer ') == 2
    assert 'localpeer %s' % samples.AMP in text
    single = render.render_config(samples.ACTIVE_ACTIVE, samples.AMP,
                                  samples.PEERS[:1])
    assert 'peers ' not in single and 'localpeer' not in single


def test_rejects_what_haproxy_cannot_do():
    bad = samples.config(
        [samples.listener(1, 'TCP', pool=samples.P1)],
        [samples.pool(1, 'TCP', members=[], sp={'type': 'HTTP_COOKIE'})])
    with pytest.raises(render.UnsupportedConfig):
        render.render_config(bad, samples.AMP)


def test_render_from_orm_objects(lb_dir, tmp_path):
    """The ORM load balancer, its amphora and cluster: peers are the
    amphora's group only (5 amphorae -> groups of 3 and 2)."""
    import types

    from octavia_aa.db import models
    lb = models.LoadBalancer(id=samples.LB, enabled=True,
                             topology='ACTIVE_ACTIVE',
                             provisioning_status='ACTIVE')
    lb.vip = models.Vip(ip_address=samples.VIP)
    pool = models.Pool(id=samples.P1, protocol='HTTP',
                       lb_algorithm='SOURCE_IP', provisioning_status='ACTIVE',
                       session_persistence={'type': 'SOURCE_IP'})
    pool.members = [models.Member(id='m1', ip_address='203.0.113.5',
                                  protocol_port=80,
                                  provisioning_status='ACTIVE')]
    lst = models.Listener(id='l1', protocol='HTTP', protocol_port=80,
                          provisioning_status='ACTIVE',
                          default_pool_id=samples.P1, peer_port=1030)
    lb.listeners, lb.pools = [lst], [pool]
    amps = [types.SimpleNamespace(id='amp-%d' % i,
                                  lb_network_ip='192.0.2.%d' % (10 + i))
            for i in range(5)]
    text = render.render(lb, amps[4], amps)
    assert 'peer amp-3 192.0.2.13:1030' in text
    assert 'peer amp-4 192.0.2.14:1030' in text
    assert 'amp-0' not in text
    assert 'stick-table type ip size 10k peers ' in text
    cfg = tmp_path / 'haproxy.cfg'
    cfg.write_text(text)
    result = haproxy_check(cfg, lb_dir)
    assert result.returncode == 0, result.stdout + result.stderr
