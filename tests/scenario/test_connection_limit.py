"""A listener's connection_limit holds for the ACTIVE_ACTIVE load balancer
as a whole (octavia_aa/controller/worker/limits.py): real connections
through the distributor to a 3+1 cluster, all held open at once, are
answered at most `limit` times in all and at most its share by each
amphora; unlimited, every one is answered (so the count can fail)."""
import json
import os
import subprocess

import pytest

from tests.scenario import deployment as D
from tests.scenario import steps

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]
HERE = os.path.dirname(os.path.abspath(__file__))
LIMIT = 7
SHARES = [2, 2, 3]


@pytest.fixture(scope='module')
def lb(dep):
    lb = steps.create_lb(dep, name='limited')
    steps.wait_lb(dep, lb['id'], check=steps.cluster_is(3), timeout=90)
    return lb


def hold(dep, connections=30):
    sources = D.CLIENT_ADDRS[:connections // 2]
    proc = dep.spawn(dep.client_ns, [
        D.PY,
        os.path.join(HERE, 'hold.py'), json.dumps({
            'vip': dep.vip, 'port': dep.vip_port, 'sources': sources,
            'per_source': 2, 'wait': 4.0})],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return json.loads(out)


def test_unlimited_serves_every_connection(dep, lb):
    res = hold(dep)
    steps.log('unlimited', res)
    assert res['served'] == res['opened'] == 30, res
    assert len(res['peers']) == 3, res


def test_limit_holds_for_the_whole_cluster(dep, lb):
    dep.cli.run('loadbalancer', 'listener', 'set', '--connection-limit',
                str(LIMIT), 'web', '--wait')
    steps.steady(dep, lb['id'])
    res = hold(dep)
    steps.log('limit %d' % LIMIT, res)
    # Before the division every amphora took 7 (21 in all).
    assert res['served'] <= LIMIT, res
    assert all(n <= max(SHARES) for n in res['peers'].values()), res
    # 30 connections hashed over 3 amphorae fill every share.
    assert res['served'] == LIMIT and sorted(res['peers'].values()) == \
        SHARES, res
