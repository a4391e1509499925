"""The devcloud tests run against a real one-host OpenStack (minutes, GBs).

They are part of the normal run: whenever tests/devcloud is in the
selection (``tools/run-tests.sh``, ``pytest tests``, ``pytest
tests/devcloud``), the package fixture ``devcloud`` builds the agent image
(cached: tools/build-images.sh --if-changed), brings the cloud up
(tools/devcloud/up.sh) and, after the last devcloud test, brings it down
(tools/devcloud/down.sh) and checks nothing of it is left. A cloud that
cannot come up fails the tests; nothing is skipped.

  OCTAVIA_AA_DEVCLOUD=0      deselect them (reported as deselected)
  OCTAVIA_AA_DEVCLOUD_KEEP=1 leave the cloud up afterwards (a cloud that
                             was already up is always left up)
"""
import json
import os
import pathlib
import subprocess
import time

import pytest

from tests.devcloud import leftovers
from tests.devcloud import servers

HERE = pathlib.Path(__file__).parent.resolve()
ROOT = HERE.parents[1]
TOOLS = ROOT / 'tools'
STATE = pathlib.Path(os.environ.get('DEVCLOUD_STATE',
                                    TOOLS / 'devcloud' / 'state'))
DEVCLOUD_HOME = pathlib.Path(os.environ.get('DEVCLOUD_HOME', '/opt/devcloud'))
IMAGE_DIR = os.environ.get('OCTAVIA_AA_IMAGE_DIR', '/work/images')

FIGURES = servers.FIGURES


def _named(config, item):
    """The item's file (or node id) was named on the command line."""
    for arg in config.args:
        path = pathlib.Path(arg.split('::')[0]).resolve()
        if path == pathlib.Path(str(item.path)) and (
                '::' not in arg or item.nodeid.endswith(arg.split('::', 1)[1])
                or arg.split('::', 1)[1] in item.nodeid):
            return True
    return False


def pytest_collection_modifyitems(config, items):
    # Scenarios marked named_only (not yet stable on a loaded host) run
    # only when named: `pytest tests/devcloud/test_active_active.py`.
    later = [i for i in items if i.get_closest_marker('named_only') and
             not _named(config, i)]
    if later:
        config.hook.pytest_deselected(items=later)
        items[:] = [i for i in items if i not in later]
    if os.environ.get('OCTAVIA_AA_DEVCLOUD') != '0':
        return
    mine = [i for i in items if HERE in pathlib.Path(str(i.path)).parents]
    if mine:
        config.hook.pytest_deselected(items=mine)
        items[:] = [i for i in items if i not in mine]


def pytest_terminal_summary(terminalreporter):
    if FIGURES:
        terminalreporter.write_line(json.dumps(dict(
            {'bench': 'devcloud_stage'}, **FIGURES), sort_keys=True))


def read_env(path):
    env = {}
    for line in path.read_text().splitlines():
        if line.startswith('export ') and '=' in line:
            key, _, value = line[len('export '):].partition('=')
            env[key] = value
    return env


def _timed(name, cmd, timeout):
    """Run a stage command; its output goes to a log that a failure
    quotes (the last lines), so a cloud that cannot come up says why."""
    log = pathlib.Path('/tmp', 'octavia-aa-devcloud-%s.log' % name)
    t0 = time.monotonic()
    with open(log, 'wb') as out:
        proc = subprocess.run(cmd, stdout=out, stderr=subprocess.STDOUT,
                              timeout=timeout, cwd=ROOT)
    FIGURES['%s_s' % name] = round(time.monotonic() - t0, 1)
    if proc.returncode != 0:
        tail = log.read_text(errors='replace').splitlines()[-40:]
        pytest.fail('%s failed (exit %d), log %s:\n%s' % (
            ' '.join(map(str, cmd)), proc.returncode, log, '\n'.join(tail)),
            pytrace=False)
    return log


def _was_up():
    return (DEVCLOUD_HOME / 'run' / 'up.done').exists() and \
        (STATE / 'env').exists()


@pytest.fixture(scope='package')
def devcloud():
    """(env of state/env, path of the agent image): the image built if
    its sources changed, the cloud up."""
    log = _timed('image_build', ['bash', str(TOOLS / 'build-images.sh'),
                                 '--if-changed', IMAGE_DIR], 1800)
    FIGURES['image_cached'] = 'cached' in log.read_text(errors='replace')
    was_up = _was_up()
    try:
        _timed('up', ['bash', str(TOOLS / 'devcloud' / 'up.sh')], 2100)
        yield read_env(STATE / 'env'), os.path.join(
            IMAGE_DIR, servers.IMAGE_NAME + '.qcow2')
    finally:
        if not was_up and os.environ.get('OCTAVIA_AA_DEVCLOUD_KEEP') != '1':
            _timed('down', ['bash', str(TOOLS / 'devcloud' / 'down.sh')],
                   600)
            left = leftovers.find(DEVCLOUD_HOME)
            assert left == [], 'down.sh left: %s' % left


@pytest.fixture(scope='package')
def cloud(devcloud):
    """(admin connection, env)."""
    env, _image = devcloud
    conn = servers.connect(env, 'devcloud-admin')
    yield conn, env
    conn.close()
