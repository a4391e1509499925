#!/bin/bash
# Remove the local netns data plane that octavia-aa-all leaves running
# when it stops (like VMs): every amphora and distributor namespace with
# its processes (killed by PID), its ports and the bridges of [netns]
# name_prefix; with --state also the state directory (SQLite database,
# CAs), so the next tools/start.sh begins from nothing. Stop the service
# first. Extra arguments go to the config parser, e.g.
#   tools/wipe-local.sh --config-file /etc/octavia-aa/octavia-aa.conf
set -euo pipefail
cd "$(dirname "$0")/.."
exec .venv/bin/python - "$@" <<'PY'
import os
import shutil
import sys

from pyroute2 import IPRoute

from octavia_aa.common import config
from octavia_aa.compute.drivers import netns

args = [a for a in sys.argv[1:] if a != '--state']
config.CONF.set_default('use_stderr', True)
config.init(args)
compute = netns.NetnsComputeDriver()
base = compute.base
for compute_id in sorted(os.listdir(base) if os.path.isdir(base) else []):
    if os.path.isdir(os.path.join(base, compute_id)):
        print('deleting machine %s' % compute_id)
        compute.delete(compute_id)
prefix = compute.opts.name_prefix
with IPRoute() as ipr:
    for link in ipr.get_links():
        name = link.get_attr('IFLA_IFNAME')
        # Bridges and veths are <prefix>b/v<8 hex>: nothing else matches.
        if (name.startswith(prefix) and len(name) == len(prefix) + 9
                and name[len(prefix)] in 'bv'):
            print('removing link %s' % name)
            ipr.link('del', index=link['index'])
left = [ns for ns in os.listdir('/run/netns') if ns.startswith(prefix + '-')]\
    if os.path.isdir('/run/netns') else []
if left:
    print('namespaces of %s not made by this service (left alone): %s'
          % (prefix, ' '.join(left)))
if '--state' in sys.argv[1:]:
    print('removing %s' % config.CONF.state_path)
    shutil.rmtree(config.CONF.state_path)
PY
