"""The demo's steps report how long the service took (created_at to
updated_at of the object), apart from the command's wall time with the
CLI's start-up: real `openstack` CLI against octavia-aa-all (noop data
plane)."""
import re

from octavia_aa.demo import common
from octavia_aa.demo import loadbalancer


def test_create_timed_reports_the_api_time_apart(service, monkeypatch):
    said = []
    monkeypatch.setattr(common, 'say', said.append)
    cli = loadbalancer.Cli(service, quiet=True)
    lb = cli.create_timed(None, 'loadbalancers', '--name', 'timed',
                          '--vip-subnet-id', 'public-subnet')
    assert lb['name'] == 'timed'
    listener = cli.create_timed('listener', 'listeners', '--name', 'l1',
                                '--protocol', 'TCP', '--protocol-port',
                                '81', 'timed')
    assert listener['protocol_port'] == 81
    assert len(said) == 2
    for line in said:
        m = re.fullmatch(r"  ACTIVE ([\d.]+) s after the API accepted it "
                         r"\(the command took ([\d.]+) s with the CLI's "
                         r"start-up\)", line)
        assert m, line
        api, wall = map(float, m.groups())
        # The service's part is inside the command's, which adds at
        # least the CLI's start-up.
        assert 0 <= api < wall
    assert cli.api_seconds('loadbalancers/' + lb['id']) >= 0
