"""tools/wipe-local.sh on a data plane that is partly gone already: a
namespace deleted under it (its veth vanishes with it, a little later),
machines whose database is missing.  It removes the rest, the state
directory with --state, and exits 0.  Real namespaces and veths of a
prefix of this test's own."""
import os
import random
import string
import subprocess
import sys

from pyroute2 import netns as pr_netns
import pytest

from octavia_aa.compute.drivers import netns_wipe
from octavia_aa.network.drivers import netns_links as links

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
MACHINES = 6


def ip(*args):
    subprocess.run(('ip',) + args, check=True, capture_output=True)


@pytest.fixture
def plane(tmp_path):
    """A state directory with MACHINES netns machines (namespace, a veth
    from the host into it) of a random prefix; whatever the wipe leaves
    is removed afterwards."""
    prefix = 'w' + ''.join(random.choice(string.ascii_lowercase +
                                         string.digits) for _ in range(3))
    state = tmp_path / 'state'
    made = []
    for n in range(MACHINES):
        compute_id = 'c%d%s' % (n, os.urandom(4).hex())
        (state / 'netns' / compute_id).mkdir(parents=True)
        namespace = links.namespace_name(prefix, compute_id)
        ip('netns', 'add', namespace)
        made.append(namespace)
        host = links.veth_name(prefix, compute_id)
        ip('link', 'add', host, 'type', 'veth', 'peer', 'name', 'eth%d' % n,
           'netns', namespace)
    conf = tmp_path / 'wipe.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n[netns]\nname_prefix = %s\n'
                    % (state, prefix))
    yield prefix, state, conf, made
    for namespace in made:
        if namespace in pr_netns.listnetns():
            pr_netns.remove(namespace)
    for name in netns_wipe.prefix_links(prefix):
        links.remove_link(name)


def wipe(conf, *extra):
    return subprocess.run(
        [os.path.join(REPO, 'tools', 'wipe-local.sh'), '--config-file',
         str(conf)] + list(extra), capture_output=True, text=True, timeout=120)


def test_wipe_after_a_namespace_was_deleted_under_it(plane):
    prefix, state, conf, made = plane
    subprocess.run([os.path.join(os.path.dirname(sys.executable),
                                 'octavia-aa-db-manage'), '--config-file',
                    str(conf), 'upgrade', 'head'], check=True,
                   capture_output=True)
    # Deleted under it: its veth goes with it, asynchronously.
    ip('netns', 'del', made[0])
    done = wipe(conf, '--state')
    assert done.returncode == 0, done.stdout + done.stderr
    assert not state.exists()
    assert netns_wipe.prefix_links(prefix) == []
    assert not [ns for ns in pr_netns.listnetns()
                if ns.startswith(prefix + '-')]


def test_wipe_twice_and_without_a_database(plane):
    prefix, state, conf, made = plane
    # No database in the state directory (never migrated, or removed).
    assert not (state / 'octavia-aa.sqlite').exists()
    first = wipe(conf)
    assert first.returncode == 0, first.stdout + first.stderr
    assert netns_wipe.prefix_links(prefix) == []
    # Nothing left to remove is no error either.
    again = wipe(conf, '--state')
    assert again.returncode == 0, again.stdout + again.stderr
    assert not state.exists()
