"""The committed sample config and policy files are what the generators
produce now (regenerate with tools/generate-samples.sh)."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(__file__)))
BIN = os.path.dirname(sys.executable)


@pytest.mark.parametrize('tool,conf,sample', [
    ('oslo-config-generator', 'etc/config/octavia-aa-config-generator.conf',
     'etc/octavia-aa.conf.sample'),
    ('oslo-config-generator',
     'etc/config/distributor-agent-config-generator.conf',
     'etc/distributor-agent.conf.sample'),
    ('oslo-config-generator',
     'etc/config/amphora-agent-config-generator.conf',
     'etc/amphora-agent.conf.sample'),
    ('oslopolicy-sample-generator',
     'etc/policy/octavia-aa-policy-generator.conf',
     'etc/policy/octavia-aa-policy.yaml.sample'),
])
def test_sample_is_current(tmp_path, tool, conf, sample):
    out = tmp_path / 'sample'
    subprocess.run([os.path.join(BIN, tool), '--config-file',
                    os.path.join(ROOT, conf), '--output-file', str(out)],
                   check=True, cwd=ROOT, capture_output=True)
    with open(os.path.join(ROOT, sample)) as committed:
        assert out.read_text() == committed.read(), (
            '%s is stale: run tools/generate-samples.sh' % sample)


def test_every_option_has_help():
    from octavia_aa.common import config
    for group, opts in config.list_opts():
        for opt in opts:
            assert opt.help, '[%s] %s has no help text' % (group, opt.name)
