"""Operators' tools, run as the real commands: the oslopolicy tools load
our enforcer (they used to crash with ArgsAlreadyParsedError),
octavia-aa-status upgrade check, octavia-aa-db-manage upgrade --sql and
check, and the API under uwsgi through octavia_aa.api.wsgi with the
proxy-headers and CORS middleware."""
import json
import os
import subprocess
import sys
import time

import pytest
import requests

from tests import keystone_server
from tests import noop
from tests import service as service_proc

BIN = os.path.dirname(sys.executable)


def run(cmd, *args, **kwargs):
    return subprocess.run([os.path.join(BIN, cmd)] + list(args),
                          capture_output=True, text=True, timeout=120,
                          **kwargs)


def write_conf(tmp_path, extra=''):
    conf = tmp_path / 'octavia-aa.conf'
    conf.write_text('[DEFAULT]\nstate_path = %s\n%s%s'
                    % (tmp_path, noop.CONF_SECTION, extra))
    return conf


def test_policy_generator_prints_the_effective_policy():
    proc = run('oslopolicy-policy-generator', '--namespace', 'octavia_aa')
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'ArgsAlreadyParsedError' not in proc.stderr
    assert '"os_load-balancer_api:loadbalancer:get_all"' in proc.stdout


def test_list_redundant_names_a_rule_equal_to_its_default(tmp_path):
    policy = tmp_path / 'policy.yaml'
    policy.write_text('"context_is_admin": "role:admin"\n'
                      '"os_load-balancer_api:loadbalancer:get_all": "!"\n')
    proc = run('oslopolicy-list-redundant', '--namespace', 'octavia_aa',
               '--config-file', str(policy_conf(tmp_path, policy)))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert 'context_is_admin' in proc.stdout
    assert 'get_all' not in proc.stdout


def policy_conf(tmp_path, policy):
    conf = tmp_path / 'policy.conf'
    conf.write_text('[oslo_policy]\npolicy_file = %s\n' % policy)
    return conf


def test_validator_accepts_ours_and_refuses_an_unknown_rule(tmp_path):
    policy = tmp_path / 'policy.yaml'
    policy.write_text('"os_load-balancer_api:loadbalancer:get_all": "!"\n')
    proc = run('oslopolicy-validator', '--namespace', 'octavia_aa',
               '--config-file', str(policy_conf(tmp_path, policy)))
    assert proc.returncode == 0, proc.stdout + proc.stderr[-2000:]
    policy.write_text('"os_load-balancer_api:loadbalancer:no_such": "!"\n')
    proc = run('oslopolicy-validator', '--namespace', 'octavia_aa',
               '--config-file', str(policy_conf(tmp_path, policy)))
    assert proc.returncode != 0
    assert 'no_such' in proc.stdout + proc.stderr


def test_upgrade_check_fails_on_an_old_schema_then_passes(tmp_path):
    conf = write_conf(tmp_path)
    proc = run('octavia-aa-status', '--config-file', str(conf),
               'upgrade', 'check', '--json')
    assert proc.returncode == 2, proc.stdout + proc.stderr[-2000:]
    schema = json.loads(proc.stdout)['checks'][0]
    assert schema['check'] == 'Database schema' and schema['result'] == 2
    assert 'octavia-aa-db-manage upgrade head' in schema['details']
    assert run('octavia-aa-db-manage', '--config-file', str(conf),
               'upgrade', 'head').returncode == 0
    # The embedded heartbeat key is only a warning.
    proc = run('octavia-aa-status', '--config-file', str(conf),
               'upgrade', 'check', '--json')
    assert proc.returncode == 1, proc.stdout + proc.stderr[-2000:]
    results = {r['check']: r['result']
               for r in json.loads(proc.stdout)['checks']}
    assert results == {'Database schema': 0, 'Heartbeat key': 1,
                       'Policy file format': 0}
    conf.write_text(conf.read_text() +
                    '[health_manager]\nheartbeat_key = s3cret\n')
    proc = run('octavia-aa-status', '--config-file', str(conf),
               'upgrade', 'check')
    assert proc.returncode == 0, proc.stdout


@pytest.mark.parametrize('url, dialect_sql', [
    ('mysql+pymysql://nobody@192.0.2.1/none', 'enabled BOOL NOT NULL'),
    ('postgresql+psycopg2://nobody@192.0.2.1/none',
     'created_at TIMESTAMP WITHOUT TIME ZONE NOT NULL'),
])
def test_upgrade_sql_prints_the_schema_and_touches_nothing(
        tmp_path, url, dialect_sql):
    conf = write_conf(tmp_path, '[database]\nconnection = %s\n' % url)
    proc = run('octavia-aa-db-manage', '--config-file', str(conf),
               'upgrade', '--sql')
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert dialect_sql in proc.stdout
    assert 'alembic_version' in proc.stdout
    # Only SQL on stdout (the log is on stderr), for a DBA to run.
    first = proc.stdout.lstrip().splitlines()[0]
    assert first in ('BEGIN;', 'CREATE TABLE alembic_version ('), first
    assert ' INFO ' not in proc.stdout
    assert 'CREATE TABLE load_balancer' in proc.stdout
    # Offline: nothing connected (192.0.2.1 is unreachable).


def test_upgrade_sql_on_sqlite_is_refused_with_a_reason(tmp_path):
    conf = write_conf(tmp_path)
    proc = run('octavia-aa-db-manage', '--config-file', str(conf),
               'upgrade', '--sql')
    assert proc.returncode == 1
    assert 'needs a MariaDB or PostgreSQL' in proc.stderr
    assert 'Traceback' not in proc.stderr
    assert not (tmp_path / 'octavia-aa.sqlite').exists()


def test_db_manage_check_agrees_on_a_migrated_database(tmp_path):
    conf = write_conf(tmp_path)
    assert run('octavia-aa-db-manage', '--config-file', str(conf),
               'upgrade', 'head').returncode == 0
    proc = run('octavia-aa-db-manage', '--config-file', str(conf), 'check')
    assert proc.returncode == 0, proc.stdout + proc.stderr[-3000:]
    assert 'No new upgrade operations detected' in proc.stdout + proc.stderr


@pytest.fixture
def uwsgi_api(tmp_path):
    """The API under uwsgi (octavia_aa.api.wsgi:application), with the
    proxy headers parsed and one CORS origin allowed."""
    bindir = keystone_server.ensure_venv()
    port = service_proc.free_port()
    conf = write_conf(
        tmp_path, '[oslo_middleware]\nenable_proxy_headers_parsing = true\n'
        '[cors]\nallowed_origin = https://dashboard.example\n')
    assert run('octavia-aa-db-manage', '--config-file', str(conf),
               'upgrade', 'head').returncode == 0
    log = open(tmp_path / 'uwsgi.log', 'w')
    proc = subprocess.Popen(
        [os.path.join(bindir, 'uwsgi'), '--http11-socket',
         '127.0.0.1:%d' % port, '--module', 'octavia_aa.api.wsgi:application',
         '--virtualenv', sys.prefix, '--master', '--processes', '1',
         '--threads', '2', '--die-on-term', '--need-app', '--lazy-apps'],
        stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
        env=dict(os.environ, OCTAVIA_AA_CONFIG_FILES=str(conf)))
    try:
        url = 'http://127.0.0.1:%d' % port
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (tmp_path / 'uwsgi.log').read_text()
            try:
                requests.get(url + '/', timeout=2)
                break
            except requests.RequestException:
                assert time.monotonic() < deadline, 'uwsgi did not answer'
                time.sleep(0.2)
        yield url
    finally:
        keystone_server.stop(proc)      # uwsgi's master, then its group
        log.close()


def test_api_under_uwsgi_with_proxy_headers_and_cors(uwsgi_api):
    got = requests.get(uwsgi_api + '/v2/lbaas/loadbalancers', timeout=10)
    assert got.status_code == 200 and got.json()['loadbalancers'] == []
    # Behind a TLS proxy: the links say what the client used.
    got = requests.get(uwsgi_api + '/', timeout=10, headers={
        'X-Forwarded-Proto': 'https', 'X-Forwarded-Host': 'lb.example'})
    hrefs = [v['links'][0]['href'] for v in got.json()['versions']]
    assert hrefs and all(h.startswith('https://lb.example/') for h in hrefs)
    # A browser's preflight from the allowed origin, and from another.
    preflight = {'Origin': 'https://dashboard.example',
                 'Access-Control-Request-Method': 'POST',
                 'Access-Control-Request-Headers': 'X-Auth-Token'}
    got = requests.options(uwsgi_api + '/v2/lbaas/loadbalancers',
                           headers=preflight, timeout=10)
    assert got.headers.get('Access-Control-Allow-Origin') == \
        'https://dashboard.example'
    assert 'POST' in got.headers.get('Access-Control-Allow-Methods', '')
    got = requests.options(uwsgi_api + '/v2/lbaas/loadbalancers', timeout=10,
                           headers=dict(preflight, Origin='https://evil'))
    assert 'Access-Control-Allow-Origin' not in got.headers
