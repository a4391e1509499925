"""Remove the local netns data plane that octavia-aa-all leaves running
when it stops (like VMs): every amphora and distributor namespace with
its processes (killed by PID), its ports and the bridges of [netns]
name_prefix; with --state also the state directory.  Used by
tools/wipe-local.sh.

Every step tolerates what is already gone (a namespace deleted under us
takes its veths with it, asynchronously; the database may be missing),
goes on after a failure, and the exit status says whether anything of
the prefix is left.
"""
import logging
import os
import shutil
import sys
import time

from pyroute2 import IPRoute

from octavia_aa.common import config
from octavia_aa.compute.drivers import netns
from octavia_aa.controller.worker import machines as machine_ops
from octavia_aa.network.drivers import netns as netns_network
from octavia_aa.network.drivers import netns_links as links

LOG = logging.getLogger(__name__)
LINKS_GONE_WITHIN = 5.0


def ours(prefix, name):
    """Bridges and veths are <prefix>b/v<8 hex>: nothing else matches."""
    return (name.startswith(prefix) and len(name) == len(prefix) + 9 and
            name[len(prefix)] in 'bv')


def prefix_links(prefix):
    with IPRoute() as ipr:
        return [name for name in (link.get_attr('IFLA_IFNAME')
                                  for link in ipr.get_links())
                if name and ours(prefix, name)]


def wipe(state=False, out=print):
    """Returns the list of what could not be removed."""
    compute = netns.NetnsComputeDriver()
    network = netns_network.NetnsNetworkDriver()
    prefix = compute.opts.name_prefix
    base = compute.base
    failed = []
    machines = sorted(os.listdir(base)) if os.path.isdir(base) else []
    for compute_id in machines:
        if not os.path.isdir(os.path.join(base, compute_id)):
            continue
        out('deleting machine %s' % compute_id)
        try:
            # The compute id of a netns machine is its entity id.
            machine_ops.delete(compute_id, compute_id, compute=compute,
                               network=network)
        except Exception as exc:
            out('  machine %s: %s' % (compute_id, exc))
        namespace = links.namespace_name(prefix, compute_id)
        if links.namespace_exists(namespace):
            failed.append('namespace ' + namespace)
    # Veths of a namespace being removed vanish a little later: go round
    # until none is listed (or LINKS_GONE_WITHIN passed).
    deadline = time.monotonic() + LINKS_GONE_WITHIN
    seen = set()
    while True:
        found = prefix_links(prefix)
        if not found or time.monotonic() > deadline:
            break
        for name in found:
            if name not in seen:
                out('removing link %s' % name)
                seen.add(name)
            try:
                links.remove_link(name)
            except Exception as exc:
                out('  link %s: %s' % (name, exc))
        time.sleep(0.1)
    failed.extend('link ' + name for name in found)
    left = ([ns for ns in os.listdir('/run/netns')
             if ns.startswith(prefix + '-')]
            if os.path.isdir('/run/netns') else [])
    left = [ns for ns in left if 'namespace ' + ns not in failed]
    if left:
        out('namespaces of %s not made by this service (left alone): %s'
            % (prefix, ' '.join(left)))
    if state:
        path = config.CONF.state_path
        out('removing %s' % path)
        shutil.rmtree(path, ignore_errors=True)
        if os.path.exists(path):
            failed.append('state ' + path)
    return failed


def main(argv=None):
    argv = sys.argv[1:] if argv is None else argv
    config.register_logging_opts()
    config.CONF.set_default('use_stderr', True)
    config.init([a for a in argv if a != '--state'])
    failed = wipe(state='--state' in argv)
    if failed:
        print('left behind: %s' % ', '.join(failed))
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
