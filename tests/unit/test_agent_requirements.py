"""The VM image installs octavia-aa with agent-requirements.txt only
(tools/build-images.sh): every third-party module the agents import must
come from those requirements or their own dependencies, and none of the
controller's heavy ones may sneak in."""
import importlib.metadata as md
import os
import re
import subprocess
import sys

from packaging.requirements import Requirement

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))

# Everything an agent process loads: both agents' packages whole, and
# what the image runs at boot.
CODE = r'''
import sys
# Less what site's .pth files load into any interpreter of this venv.
before = set(sys.modules)
import importlib, pkgutil
import distributor_agent, octavia_aa.amphorae.backends.agent as amp
for pkg in (amp, distributor_agent):
    for m in pkgutil.iter_modules(pkg.__path__, pkg.__name__ + '.'):
        importlib.import_module(m.name)
import octavia_aa.common.boot_config
print(' '.join(sorted({m.split('.')[0] for m in set(sys.modules) - before})))
'''


def _name(req):
    return re.split(r'[\s<>=!~;\[]', req.strip(), 1)[0].lower().replace(
        '_', '-').replace('.', '-')


def _closure(names):
    seen, todo = set(), list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in md.requires(name) or []:
            req = Requirement(text)
            # Extras and other platforms' requirements are not installed.
            if req.marker is None or req.marker.evaluate({'extra': ''}):
                todo.append(_name(req.name))
    return seen


def test_agents_import_only_agent_requirements():
    with open(os.path.join(ROOT, 'agent-requirements.txt')) as f:
        wanted = [_name(line) for line in f
                  if line.strip() and not line.startswith('#')]
    allowed = _closure(wanted)
    out = subprocess.run([sys.executable, '-c', CODE], capture_output=True,
                         text=True, check=True, cwd=ROOT).stdout.split()
    dists = md.packages_distributions()
    third_party = {m for m in out if m not in sys.stdlib_module_names
                   and not m.startswith('_') and m not in (
                       'octavia_aa', 'distributor_agent')}
    used = {_name(d) for m in third_party for d in dists.get(m, [m])}
    assert used - allowed == set(), 'not in agent-requirements.txt'
    for heavy in ('sqlalchemy', 'oslo-messaging', 'taskflow', 'oslo-db',
                  'pecan', 'cryptography', 'pycdlib'):
        assert heavy not in allowed | used, heavy
