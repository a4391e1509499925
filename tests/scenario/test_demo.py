"""octavia-aa-demo end to end: against octavia-aa-all with the netns data
plane (a Deployment without its own client and members: the demo makes
its own), the demo builds an ACTIVE_ACTIVE load balancer through the CLI,
sends requests and shows that 3 amphorae served them; --traffic sends
them again; --kill-amphora kills one and the standby serves in its place;
--cleanup leaves nothing of the demo behind."""
import json
import os
import re
import subprocess
import sys

import pytest

from octavia_aa.common import procs
from tests.scenario import deployment as D

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(os.geteuid() != 0, reason='needs root (netns)'),
]

SERVED = re.compile(r'^(\d+) amphorae served (\d+) of (\d+) requests$', re.M)


class DemoDeployment(D.Deployment):
    """The service and its distributors only: the demo plugs its own
    client and member namespaces (at the addresses the Deployment's own
    would use)."""

    def setup_client(self):
        return None

    def setup_members(self):
        return None


@pytest.fixture(scope='module')
def dep():
    d = DemoDeployment().start()
    try:
        yield d
    finally:
        d.close()


def demo(dep, *args, timeout=900):
    proc = subprocess.run(
        [sys.executable, '-m', 'octavia_aa.cmd.demo', '--config-file',
         dep.conf_file, *args], capture_output=True, text=True,
        timeout=timeout, cwd=D.REPO, stdin=subprocess.DEVNULL)
    sys.stderr.write(proc.stdout)
    sys.stderr.write(proc.stderr[-4000:])
    return proc


def demo_pids(dep):
    path = os.path.join(dep.state, 'demo', 'members.pids')
    with open(path) as f:
        return [json.loads(line)['pid'] for line in f if line.strip()]


def test_demo_and_cleanup(dep):
    prefix = dep.prefix
    names = ['%s-demo-members' % prefix, '%s-demo-client' % prefix]

    run = demo(dep)
    assert run.returncode == 0, run.stdout + run.stderr
    out = run.stdout
    # It taught the commands it ran.
    for cmd in ('openstack loadbalancer flavorprofile create',
                'openstack loadbalancer flavor create',
                'openstack loadbalancer create --name demo-lb --flavor '
                'demo-aa --vip-subnet-id public-subnet --wait',
                'openstack loadbalancer listener create',
                'openstack loadbalancer pool create',
                'openstack loadbalancer member create',
                'openstack loadbalancer amphora list'):
        assert '$ ' + cmd in out, cmd
    served = SERVED.findall(out)
    assert served == [('3', '60', '60')], out
    # The table: three IN_CLUSTER rows with requests, the standby none.
    rows = [line.split() for line in out.splitlines()
            if re.match(r'^  [0-9a-f]{8}-', line)]
    assert sorted(r[1] for r in rows) == ['IN_CLUSTER'] * 3 + [
        'IN_CLUSTER_STANDBY'], out
    assert all(int(r[4]) > 0 for r in rows if r[1] == 'IN_CLUSTER'), out
    assert [int(r[4]) for r in rows if r[1] == 'IN_CLUSTER_STANDBY'] == \
        [0], out
    lb = dep.cli.json('loadbalancer', 'show', 'demo-lb')
    assert lb['provisioning_status'] == 'ACTIVE', lb

    # The member servers outlive the demo: a curl from the client works.
    pids = demo_pids(dep)
    assert len(pids) == 3 and all(procs.alive(p) for p in pids), pids
    for ns in names:
        assert ns in dep.prefix_namespaces()
    answer = D.sh('curl', '-s', '--max-time', '5',
                  'http://%s/' % lb['vip_address'], ns=names[1])
    assert 'answered; the request came from 203.0.113.' in answer.stdout

    # Running it again is refused; --traffic sends the requests again.
    again = demo(dep)
    assert again.returncode == 1 and 'exists already' in again.stdout
    traffic = demo(dep, '--traffic', '--requests', '30')
    assert traffic.returncode == 0, traffic.stdout + traffic.stderr
    assert SERVED.findall(traffic.stdout) == [('3', '30', '30')]

    # --kill-amphora: an IN_CLUSTER amphora dies; the standby takes its
    # flows at once (every request answered, by 3 amphorae, none by the
    # victim), and the cluster is whole again.
    kill = demo(dep, '--kill-amphora')
    assert kill.returncode == 0, kill.stdout + kill.stderr
    victim = re.search(r'Killing amphora ([0-9a-f-]{36})', kill.stdout)[1]
    assert SERVED.findall(kill.stdout) == [('3', '60', '60')], kill.stdout
    rows = [line.split() for line in kill.stdout.splitlines()
            if line.startswith('  ' + victim)]
    # (Its row may be gone already if it was deleted that fast.)
    assert all(int(r[4]) == 0 for r in rows), kill.stdout
    amps = dep.cli.json('loadbalancer', 'amphora', 'list',
                        '--loadbalancer', 'demo-lb')
    assert victim not in [a['id'] for a in amps], amps

    clean = demo(dep, '--cleanup')
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert '$ openstack loadbalancer delete --cascade --wait demo-lb' in \
        clean.stdout
    # Nothing of the demo is left: load balancer, flavor, profile,
    # namespaces, veths, processes.
    lbs = dep.cli.json('loadbalancer', 'list')
    assert [x for x in lbs if x['name'] == 'demo-lb'] == [], lbs
    assert dep.cli.json('loadbalancer', 'flavor', 'list') == []
    assert dep.cli.json('loadbalancer', 'flavorprofile', 'list') == []
    for ns in names:
        assert ns not in dep.prefix_namespaces()
    assert not any(procs.alive(p) for p in pids), pids
    assert not os.path.exists(os.path.join(dep.state, 'demo',
                                           'members.pids'))
    leaks = dep.leaks(lb['id'], lb['vip_address'])
    assert leaks == {'namespaces': [], 'processes': {}, 'links': [],
                     'nftables': [], 'addresses': [], 'rows': {}}, leaks

    # A second --cleanup has nothing to do and says so without error.
    assert demo(dep, '--cleanup').returncode == 0
