"""The image elements agree with the controller's boot files: each
agent unit starts from the config file the config drive delivers, only
when it was delivered, and systemd never stops restarting it."""
import configparser
import os

import pytest

from octavia_aa.common import boot_config
from octavia_aa.compute import boot_files

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
ELEMENTS = os.path.join(ROOT, 'elements')


def _unit(element, name):
    parser = configparser.ConfigParser(strict=False, interpolation=None)
    parser.optionxform = str
    parser.read(os.path.join(ELEMENTS, element, 'static/etc/systemd/system',
                             name))
    return parser


@pytest.mark.parametrize('kind', boot_files.KINDS)
def test_agent_unit_matches_boot_files(kind):
    unit = _unit('octavia-aa-%s-agent' % kind,
                 'octavia-aa-%s-agent.service' % kind)
    conf = boot_files.IMAGE_LAYOUTS[kind].config_file
    assert conf.startswith(boot_config.ALLOWED_PREFIX)
    assert unit['Unit']['ConditionPathExists'] == conf
    assert unit['Service']['ExecStart'].endswith('--config-file %s' % conf)
    assert unit['Service']['Restart'] == 'always'
    assert unit['Unit']['StartLimitIntervalSec'] == '0'
    assert 'octavia-aa-boot-config.service' in unit['Unit']['After']


def test_boot_config_runs_before_network_and_agents():
    unit = _unit('octavia-aa-base', 'octavia-aa-boot-config.service')
    before = ' '.join(unit['Unit']['Before'].split())
    for name in ['systemd-networkd.service'] + [
            'octavia-aa-%s-agent.service' % k for k in boot_files.KINDS]:
        assert name in before
    assert unit['Service']['ExecStart'] == \
        '/usr/local/bin/octavia-aa-boot-config'


def test_every_element_has_readme_and_sorted_deps():
    for element in sorted(os.listdir(ELEMENTS)):
        path = os.path.join(ELEMENTS, element)
        if not os.path.isdir(path):
            continue
        assert os.path.exists(os.path.join(path, 'README.rst')), element
        with open(os.path.join(path, 'element-deps')) as f:
            deps = f.read().split()
        assert deps == sorted(deps), element
