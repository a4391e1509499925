"""Every `openstack loadbalancer` sub-command of the installed
python-octaviaclient, run with realistic options against octavia-aa-all
on the noop drivers, with what comes back asserted.  The test ends by
checking that it ran every command the client has, so a client with a
new command fails it until the command is covered here."""
import importlib.metadata
import json
import os
import sqlite3
import uuid

import pytest
import requests

from tests import service as service_proc
from tests.cli import conftest

PROJECT = uuid.uuid4().hex


def _client_commands():
    eps = importlib.metadata.entry_points(group='openstack.load_balancer.v2')
    return {ep.name.replace('_', ' ') for ep in eps}


class Matrix:
    """Runs `openstack loadbalancer ...` and remembers which command of
    the client each call was."""

    def __init__(self, cli, commands):
        self.cli = cli
        self.commands = commands
        self.ran = {}

    def _key(self, words):
        # The longest command name the arguments start with.
        for n in range(len(words), 0, -1):
            key = ' '.join(['loadbalancer'] + list(words[:n]))
            if key in self.commands:
                return key
        return ' '.join(['loadbalancer'] + list(words[:1]))

    def run(self, *args, ok=True):
        key = self._key(args)
        proc = self.cli.run('loadbalancer', *args, ok=ok)
        self.ran[key] = 'ok' if proc.returncode == 0 else \
            'refused: ' + proc.stderr.strip().splitlines()[-1]
        return proc

    def json(self, *args):
        out = self.run(*args, '-f', 'json').stdout
        return json.loads(out) if out.strip() else None


@pytest.fixture(scope='module')
def service(tmp_path_factory):
    """octavia-aa-all whose cluster manager makes no periodic pass during
    the test: the amphora this test puts in ERROR is for `amphora delete`
    to remove, not for a reconcile pass to replace first."""
    state = tmp_path_factory.mktemp('state')
    with service_proc.run_all(
            state, '[cluster_manager]\nreconcile_interval = 3600\n') as url:
        yield conftest.Service(url, state)


@pytest.fixture(scope='module')
def matrix(cli):
    return Matrix(cli, _client_commands())


def _state_db(service_conf_dir):
    return sqlite3.connect(os.path.join(service_conf_dir,
                                        'octavia-aa.sqlite'))


def test_every_command(matrix, service, tmp_path):
    m = matrix
    # Providers and their capabilities.
    names = [p['name'] for p in m.json('provider', 'list')]
    assert {'amphora', 'octavia'} <= set(names)
    caps = m.json('provider', 'capability', 'list', 'amphora')
    kinds = {c['type'] for c in caps}
    assert kinds == {'flavor', 'availability_zone'}
    assert 'loadbalancer_topology' in {c['name'] for c in caps}

    # Flavor profiles and flavors.
    fp = m.json('flavorprofile', 'create', '--name', 'single-fp',
                '--provider', 'amphora', '--flavor-data',
                json.dumps({'loadbalancer_topology': 'SINGLE'}))
    assert json.loads(fp['flavor_data']) == {'loadbalancer_topology':
                                             'SINGLE'}
    assert [p['name'] for p in m.json('flavorprofile', 'list')] == [
        'single-fp']
    m.run('flavorprofile', 'set', '--name', 'single-profile', 'single-fp')
    assert m.json('flavorprofile', 'show', 'single-profile')['id'] == \
        fp['id']
    flavor = m.json('flavor', 'create', '--name', 'bronze',
                    '--flavorprofile', 'single-profile', '--description',
                    'one amphora', '--enable')
    assert flavor['enabled'] is True
    m.run('flavor', 'set', '--description', 'still one amphora', 'bronze')
    m.run('flavor', 'unset', '--description', 'bronze')
    shown = m.json('flavor', 'show', 'bronze')
    assert shown['description'] == ''
    assert [f['name'] for f in m.json('flavor', 'list')] == ['bronze']

    # Availability zones.
    azp = m.json('availabilityzoneprofile', 'create', '--name', 'az-p',
                 '--provider', 'amphora', '--availability-zone-data',
                 json.dumps({'compute_zone': 'nova'}))
    assert json.loads(azp['availability_zone_data']) == {
        'compute_zone': 'nova'}
    m.run('availabilityzoneprofile', 'set', '--name', 'az-profile', 'az-p')
    assert m.json('availabilityzoneprofile', 'show', 'az-profile')[
        'id'] == azp['id']
    assert [p['name'] for p in m.json('availabilityzoneprofile',
                                      'list')] == ['az-profile']
    m.json('availabilityzone', 'create', '--name', 'az1',
           '--availabilityzoneprofile', 'az-profile', '--description', 'x')
    m.run('availabilityzone', 'set', '--description', 'zone one', 'az1')
    assert m.json('availabilityzone', 'show', 'az1')['description'] == \
        'zone one'
    m.run('availabilityzone', 'unset', '--description', 'az1')
    assert m.json('availabilityzone', 'show', 'az1')['description'] == ''
    assert [z['name'] for z in m.json('availabilityzone', 'list')] == ['az1']

    # Load balancer.
    lb = m.json('create', '--name', 'lb1', '--vip-subnet-id',
                'public-subnet', '--flavor', 'bronze',
                '--availability-zone', 'az1', '--description', 'first',
                '--tag', 'blue', '--wait')
    assert (lb['provisioning_status'], lb['operating_status']) == (
        'ACTIVE', 'OFFLINE')
    assert lb['availability_zone'] == 'az1'
    assert [x['name'] for x in m.json('list', '--tags', 'blue')] == ['lb1']
    m.run('set', '--description', 'changed', '--wait', 'lb1')
    assert m.json('show', 'lb1')['description'] == 'changed'
    m.run('unset', '--description', '--wait', 'lb1')
    assert m.json('show', 'lb1')['description'] == ''
    stats = m.json('stats', 'show', 'lb1')
    assert stats['bytes_in'] == 0
    tree = json.loads(m.run('status', 'show', 'lb1').stdout)
    assert tree['loadbalancer']['id'] == lb['id']
    m.run('failover', '--wait', 'lb1')

    # Listener: the CLI sends --connection-limit as a string.
    lst = m.json('listener', 'create', '--name', 'web', '--protocol',
                 'HTTP', '--protocol-port', '80', '--connection-limit',
                 '100', '--timeout-client-data', '20000',
                 '--insert-headers', 'X-Forwarded-For=true', '--wait', 'lb1')
    assert (lst['connection_limit'], lst['timeout_client_data']) == (
        100, 20000)
    m.run('listener', 'set', '--connection-limit', '200', '--wait', 'web')
    assert m.json('listener', 'show', 'web')['connection_limit'] == 200
    m.run('listener', 'unset', '--connection-limit',
          '--timeout-client-data', '--wait', 'web')
    got = m.json('listener', 'show', 'web')
    assert (got['connection_limit'], got['timeout_client_data']) == (
        -1, 50000)
    assert [x['name'] for x in m.json('listener', 'list',
                                      '--loadbalancer', 'lb1')] == ['web']
    assert m.json('listener', 'stats', 'show', 'web')['bytes_out'] == 0

    # Pool, members, health monitor.
    pool = m.json('pool', 'create', '--name', 'pool1', '--listener', 'web',
                  '--protocol', 'HTTP', '--lb-algorithm', 'ROUND_ROBIN',
                  '--session-persistence', 'type=APP_COOKIE,cookie_name=sid',
                  '--wait')
    assert pool['lb_algorithm'] == 'ROUND_ROBIN'
    m.run('pool', 'set', '--lb-algorithm', 'LEAST_CONNECTIONS',
          '--description', 'main', '--wait', 'pool1')
    assert m.json('pool', 'show', 'pool1')['lb_algorithm'] == \
        'LEAST_CONNECTIONS'
    m.run('pool', 'unset', '--description', '--session-persistence',
          '--wait', 'pool1')
    got = m.json('pool', 'show', 'pool1')
    assert got['description'] == '' and not got['session_persistence']
    assert [p['name'] for p in m.json('pool', 'list', '--loadbalancer',
                                      'lb1')] == ['pool1']
    member = m.json('member', 'create', '--name', 'm1', '--address',
                    '203.0.113.20', '--protocol-port', '8080', '--weight',
                    '5', '--subnet-id', 'private-subnet', '--wait', 'pool1')
    assert (member['weight'], member['operating_status']) == (5, 'OFFLINE')
    m.run('member', 'set', '--weight', '10', '--enable-backup', '--wait',
          'pool1', 'm1')
    got = m.json('member', 'show', 'pool1', 'm1')
    assert (got['weight'], got['backup']) == (10, True)
    m.run('member', 'unset', '--weight', '--backup', '--wait', 'pool1',
          'm1')
    got = m.json('member', 'show', 'pool1', 'm1')
    assert (got['weight'], got['backup']) == (1, False)
    assert [x['name'] for x in m.json('member', 'list', 'pool1')] == ['m1']
    hm = m.json('healthmonitor', 'create', '--name', 'hm1', '--delay', '5',
                '--timeout', '3', '--max-retries', '3', '--type', 'HTTP',
                '--url-path', '/healthz', '--expected-codes', '200-204',
                '--wait', 'pool1')
    assert (hm['url_path'], hm['expected_codes']) == ('/healthz', '200-204')
    m.run('healthmonitor', 'set', '--delay', '10', '--max-retries-down',
          '5', '--wait', 'hm1')
    assert m.json('healthmonitor', 'show', 'hm1')['delay'] == 10
    m.run('healthmonitor', 'unset', '--url-path', '--expected-codes',
          '--max-retries-down', '--wait', 'hm1')
    got = m.json('healthmonitor', 'show', 'hm1')
    assert (got['url_path'], got['expected_codes'],
            got['max_retries_down']) == ('/', '200', 3)
    assert [h['name'] for h in m.json('healthmonitor', 'list')] == ['hm1']

    # L7 policies and rules.
    pol = m.json('l7policy', 'create', '--name', 'p1', '--action',
                 'REDIRECT_TO_URL', '--redirect-url', 'https://example.com/',
                 '--redirect-http-code', '301', '--wait', 'web')
    assert pol['redirect_http_code'] == 301
    m.run('l7policy', 'set', '--description', 'to https', '--wait', 'p1')
    m.run('l7policy', 'unset', '--description', '--redirect-http-code',
          '--wait', 'p1')
    got = m.json('l7policy', 'show', 'p1')
    # As upstream: the code is cleared; a redirect without one is a 302.
    assert got['description'] == '' and got['redirect_http_code'] is None
    assert [p['name'] for p in m.json('l7policy', 'list')] == ['p1']
    rule = m.json('l7rule', 'create', '--compare-type', 'STARTS_WITH',
                  '--type', 'PATH', '--value', '/old', '--invert', '--wait',
                  'p1')
    assert rule['invert'] is True
    m.run('l7rule', 'set', '--value', '/older', '--wait', 'p1', rule['id'])
    m.run('l7rule', 'unset', '--invert', '--wait', 'p1', rule['id'])
    got = m.json('l7rule', 'show', 'p1', rule['id'])
    assert (got['value'], got['invert']) == ('/older', False)
    assert [r['id'] for r in m.json('l7rule', 'list', 'p1')] == [rule['id']]

    # Amphorae (admin).
    amps = m.json('amphora', 'list', '--loadbalancer', 'lb1')
    assert [a['role'] for a in amps] == ['STANDALONE']
    amp_id = amps[0]['id']
    assert m.json('amphora', 'show', amp_id)['loadbalancer_id'] == lb['id']
    m.run('amphora', 'configure', amp_id)
    assert m.json('amphora', 'stats', 'show', amp_id) is not None
    m.run('amphora', 'failover', '--wait', amp_id)
    (new,) = m.json('amphora', 'list', '--loadbalancer', 'lb1')
    assert new['id'] != amp_id
    # Only an amphora in ERROR may be deleted (as upstream).
    refused = m.run('amphora', 'delete', new['id'], ok=False)
    assert 'ERROR' in refused.stderr
    db = _state_db(service.state)
    with db:
        db.execute("UPDATE amphora SET status = 'ERROR' WHERE id = ?",
                   (new['id'],))
    db.close()
    m.run('amphora', 'delete', '--wait', new['id'])
    (third,) = m.json('amphora', 'list', '--loadbalancer', 'lb1')
    assert third['id'] not in (amp_id, new['id'])

    # Quotas: `show` of a project id works without Keystone; set, unset
    # and reset resolve the project through Keystone first, so without
    # one the CLI stops before asking us (checked), and the same calls
    # go to the API directly.
    defaults = m.json('quota', 'defaults', 'show')
    assert 'load_balancer' in defaults
    assert isinstance(m.json('quota', 'list'), list)
    assert m.json('quota', 'show', PROJECT)['load_balancer'] == \
        defaults['load_balancer']
    for args in (('set', '--loadbalancer', '5', PROJECT),
                 ('unset', '--loadbalancer', PROJECT),
                 ('reset', PROJECT)):
        proc = m.run('quota', *args, ok=False)
        # It looked the project up in Keystone, and there is none.
        assert 'No project with a name or ID' in proc.stderr, proc.stderr
    url = '%s/v2/lbaas/quotas/%s' % (service, PROJECT)
    res = requests.put(url, json={'quota': {'load_balancer': 5}}, timeout=10)
    assert res.status_code == 202 and res.json()['quota'][
        'load_balancer'] == 5
    res = requests.put(url, json={'quota': {'load_balancer': None}},
                       timeout=10)
    assert res.json()['quota']['load_balancer'] == defaults['load_balancer']
    assert requests.delete(url, timeout=10).status_code == 202

    # Deletes, children first; a second load balancer goes by cascade.
    m.run('l7rule', 'delete', '--wait', 'p1', rule['id'])
    m.run('l7policy', 'delete', '--wait', 'p1')
    m.run('healthmonitor', 'delete', '--wait', 'hm1')
    m.run('member', 'delete', '--wait', 'pool1', 'm1')
    m.run('pool', 'delete', '--wait', 'pool1')
    m.run('listener', 'delete', '--wait', 'web')
    m.run('delete', '--wait', 'lb1')
    m.json('create', '--name', 'lb2', '--vip-network-id',
           str(uuid.uuid4()), '--wait')
    m.json('listener', 'create', '--protocol', 'TCP', '--protocol-port',
           '22', '--wait', 'lb2')
    m.run('delete', '--cascade', '--wait', 'lb2')
    assert m.json('list') == []
    m.run('availabilityzone', 'delete', 'az1')
    m.run('availabilityzoneprofile', 'delete', 'az-profile')
    m.run('flavor', 'delete', 'bronze')
    m.run('flavorprofile', 'delete', 'single-profile')
    assert m.json('flavorprofile', 'list') == []

    missing = sorted(m.commands - set(m.ran))
    assert not missing, 'commands not exercised: %s' % missing
    # What each one gave, for the record (pytest -s prints it).
    for key in sorted(m.ran):
        print('%-45s %s' % (key, m.ran[key]))
