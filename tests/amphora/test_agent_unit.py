"""Amphora agent pieces without namespaces: routing and errors, upload
validation with the real haproxy, counter deltas, a light import set."""
import json
import subprocess
import sys

from oslo_config import cfg
import pytest
import webob

from octavia_aa.amphorae.backends.agent import agent as agent_mod
from octavia_aa.amphorae.backends.agent import app as app_mod
from octavia_aa.amphorae.backends.agent import config
from octavia_aa.amphorae.backends.agent import health


@pytest.fixture
def app(tmp_path):
    conf = cfg.ConfigOpts()
    config.register_opts(conf)
    conf.set_override('amphora_id', 'amp-1', 'amphora_agent')
    conf([], default_config_files=[])
    conf.set_override('state_dir', str(tmp_path / 'state'), 'amphora_agent')
    conf.set_override('run_dir', str(tmp_path / 'run'), 'amphora_agent')
    return app_mod.Application(agent_mod.Agent(conf))


def call(app, method, path, body=None):
    req = webob.Request.blank(path, method=method)
    if body is not None:
        req.body = body if isinstance(body, bytes) else json.dumps(
            body).encode()
    resp = req.get_response(app)
    return resp.status_code, (resp.json if resp.content_type ==
                              'application/json' else resp.text)


def test_routing_errors(app):
    assert call(app, 'GET', '/v1/nothing')[0] == 404
    status, body = call(app, 'DELETE', '/v1/info')
    assert status == 405 and body['allowed'] == ['GET']
    assert call(app, 'PUT', '/v1/plug/vip', b'{not json')[0] == 400
    assert call(app, 'PUT', '/v1/config', {'bind_port': 1})[0] == 400
    assert call(app, 'GET', '/v1/loadbalancers/x/haproxy')[0] == 404
    assert call(app, 'PUT', '/v1/loadbalancers/x/explode')[0] == 400
    assert call(app, 'PUT', '/v1/loadbalancers/x/certificates/..')[0] in (
        400, 404)
    assert call(app, 'GET', '/v1/info')[1]['id'] == 'amp-1'


def test_rejected_upload_has_haproxy_text_and_keeps_nothing(app):
    status, body = call(app, 'PUT', '/v1/loadbalancers/lb1/haproxy',
                        b'frontend x\n    bogus-keyword\n')
    assert status == 400
    assert 'bogus-keyword' in body['haproxy_output']
    assert call(app, 'GET', '/v1/loadbalancers/lb1/haproxy')[0] == 404


def test_stored_upload_is_returned(app):
    text = ('defaults\n    timeout client 1s\n    timeout server 1s\n'
            '    timeout connect 1s\nfrontend f\n    bind 127.0.0.1:1\n')
    assert call(app, 'PUT', '/v1/loadbalancers/lb1/haproxy?apply=false',
                text.encode())[0] == 200
    assert call(app, 'GET', '/v1/loadbalancers/lb1/haproxy') == (200, text)


def test_update_config_persists_heartbeat_settings(app, tmp_path):
    status, body = call(app, 'PUT', '/v1/config', {
        'controller_ip_port_list': ['192.0.2.1:5555'],
        'heartbeat_interval': '0.5'})
    assert status == 200
    conf = app.agent.conf
    assert conf.amphora_health.controller_ip_port_list == ['192.0.2.1:5555']
    assert conf.amphora_health.heartbeat_interval == 0.5
    saved = json.loads((tmp_path / 'state' /
                        'agent-overrides.json').read_text())
    assert saved['heartbeat_interval'] == 0.5


def test_deltas_survive_a_haproxy_restart(tmp_path):
    deltas = health.Deltas(str(tmp_path / 'counters.json'))

    def report(n):
        return {'l1': {'stats': {'rx': n, 'tx': n, 'totconns': n,
                                 'ereq': 0, 'conns': 1}}}
    first = report(100)
    deltas.apply(first)
    assert first['l1']['stats']['rx'] == 100
    second = report(130)
    deltas.apply(second)
    assert second['l1']['stats']['rx'] == 30
    # A reload restarts HAProxy's counters: what it counted since is new.
    restarted = report(5)
    health.Deltas(str(tmp_path / 'counters.json')).apply(restarted)
    assert restarted['l1']['stats']['rx'] == 5
    assert restarted['l1']['stats']['conns'] == 1


def test_agent_imports_stay_light():
    code = ('import sys; import octavia_aa.amphorae.backends.agent.cmd; '
            'import octavia_aa.amphorae.backends.agent.server; '
            'print(",".join(sorted(m for m in ("sqlalchemy", '
            '"oslo_messaging", "taskflow", "pyroute2", "oslo_db") '
            'if m in sys.modules)))')
    out = subprocess.run([sys.executable, '-c', code], capture_output=True,
                         text=True, check=True).stdout.strip()
    assert out == ''


@pytest.mark.parametrize('namespace,name', [
    ('octavia_aa.compute.drivers', 'compute_netns_driver'),
    ('octavia_aa.network.drivers', 'network_netns_driver'),
    ('octavia_aa.amphora.drivers', 'amphora_rest_driver')])
def test_drivers_load_through_stevedore(namespace, name):
    from stevedore import driver
    assert driver.DriverManager(namespace, name, invoke_on_load=True).driver


def test_option_modules_list_their_options():
    from octavia_aa.amphorae.drivers import rest_opts
    from octavia_aa.compute import boot_opts
    from octavia_aa.compute.drivers import netns_opts
    from octavia_aa.network.drivers import netns_opts as net_opts
    for module in (config, rest_opts, netns_opts, net_opts, boot_opts):
        for group, opts in module.list_opts():
            assert opts and all(opt.help for opt in opts), group
