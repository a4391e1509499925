"""No request gets a 5xx: each reproducer of issue 10 (item 1) gets the
4xx that names what is wrong, as Octavia's JSON fault, and nothing is
written.  The ones that depended on the database run on SQLite, MariaDB
and PostgreSQL (real servers: a missing one fails the test)."""
import json
import uuid

import pytest

from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from tests.functional import dbservers
from tests.functional.api import helpers

LB = helpers.LB
UUID = '11111111-2222-3333-4444-555555555555'
BACKENDS = ['sqlite', 'mariadb', 'postgresql']
LONG = 'p' * 300

# One database per server for the whole module (made and migrated once,
# dropped at the end): each test's objects have their own ids.
_SERVER_DBS = {}


@pytest.fixture(scope='module')
def server_dbs():
    stack = []
    yield _SERVER_DBS, stack
    for ctx in reversed(stack):
        ctx.__exit__(None, None, None)
    _SERVER_DBS.clear()
    _WORLDS.clear()


@pytest.fixture
def backend_api(request, database, overrides, server_dbs):
    """The API on the backend named by the test's `backend` parameter."""
    backend = request.param
    if backend != 'sqlite':
        urls, stack = server_dbs
        if backend not in urls:
            ctx = dbservers.database(backend)
            urls[backend] = ctx.__enter__()
            stack.append(ctx)
            overrides('connection', urls[backend], 'database')
            db_api.reset()
            migration.upgrade()
        overrides('connection', urls[backend], 'database')
        db_api.reset()
    import webtest

    from octavia_aa.api import app
    test_app = webtest.TestApp(app.setup_app())
    test_app.backend = backend
    return test_app


_WORLDS = {}


def _world(api):
    """An ACTIVE load balancer with an HTTP listener, a pool and an L7
    policy, made through the API with the worker running (once per
    server database: the refused requests change nothing)."""
    backend = getattr(api, 'backend', 'sqlite')
    if backend != 'sqlite':
        if backend not in _WORLDS:
            _WORLDS[backend] = _make_world(api)
        return _WORLDS[backend]
    return _make_world(api)


def _make_world(api):
    from octavia_aa.controller.worker import service
    svc = service.WorkerService()
    svc.start()
    try:
        lb = helpers.active_lb(api)
        listener = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
            'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
            'protocol_port': 80})['listener']
        helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
        pool = helpers.post(api, '/v2/lbaas/pools', 'pool', {
            'listener_id': listener['id'], 'protocol': 'HTTP',
            'lb_algorithm': 'ROUND_ROBIN'})['pool']
        helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
        policy = helpers.post(api, '/v2/lbaas/l7policies', 'l7policy', {
            'listener_id': listener['id'], 'action': 'REJECT'})['l7policy']
        helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    finally:
        svc.stop()
    return {'lb': lb['id'], 'listener': listener['id'], 'pool': pool['id'],
            'policy': policy['id']}


def _send(api, method, path, body=None, raw=None, headers=None,
          content_type='application/json'):
    data = raw if raw is not None else (
        b'' if body is None else json.dumps(body).encode())
    return api.request(path, method=method, body=data, headers=headers or {},
                       content_type=content_type, expect_errors=True)


def _fault(resp, status):
    assert resp.status_int == status, (resp.status, resp.body[:300])
    assert resp.content_type == 'application/json'
    assert resp.json['faultcode'] == 'Client'
    assert resp.json['debuginfo'] is None
    return resp.json['faultstring']


def _check(api, method, path, status, word, **kw):
    world = _world(api) if '{' in path or '{' in json.dumps(
        kw.get('body')) else {}
    path = path.format(**world)
    if 'body' in kw:
        kw['body'] = json.loads(json.dumps(kw['body']) % world) if world \
            else kw['body']
    before = helpers.row_counts()
    text = _fault(_send(api, method, path, **kw), status)
    assert word in text, text
    assert helpers.row_counts() == before, 'a refused request wrote rows'


COLLECTIONS = ['/v2/lbaas/loadbalancers', '/v2/lbaas/listeners',
               '/v2/lbaas/pools', '/v2/lbaas/healthmonitors',
               '/v2/lbaas/l7policies', '/v2/lbaas/l7policies/{policy}/rules',
               '/v2/lbaas/flavors', '/v2/lbaas/flavorprofiles',
               '/v2/octavia/distributors', '/v2/octavia/amphorae',
               '/v2/octavia/clusters']


@pytest.mark.parametrize('path', COLLECTIONS)
@pytest.mark.parametrize('method', ['PUT', 'DELETE'])
def test_write_on_a_collection_is_405(api, method, path):
    world = _world(api) if '{' in path else {}
    resp = _send(api, method, path.format(**world), body={})
    assert method in _fault(resp, 405)
    assert 'GET' in resp.headers['Allow']


@pytest.mark.parametrize('method,path,allowed', [
    ('POST', '/v2/octavia/amphorae', 'GET'),
    ('POST', '/v2/octavia/clusters', 'GET'),
    ('POST', LB + '/' + UUID, 'GET, PUT, DELETE'),
    ('PATCH', LB, 'GET, POST'),
    ('POST', '/v2/lbaas/providers', 'GET, HEAD'),
    ('DELETE', '/v2/lbaas/quotas/' + UUID + '/default', 'GET, HEAD'),
    ('POST', '/v2/lbaas/quotas', 'GET'),
    ('PUT', '/v2/lbaas/quotas/defaults', 'GET, HEAD'),
    ('PUT', '/v2/lbaas/availabilityzones', 'GET, POST'),
    ('POST', '/v2.0/subnets', 'GET, HEAD'),
    ('DELETE', LB + '/' + UUID + '/stats', 'GET'),
])
def test_missing_method_is_405(api, method, path, allowed):
    resp = _send(api, method, path, body={})
    _fault(resp, 405)
    if method != 'PATCH':
        assert resp.headers['Allow'] == allowed


def test_missing_method_on_an_existing_object_is_405(api, worker):
    """The object exists, so this is not a 404: amphorae are never
    updated, clusters only resized, distributors never updated."""
    lb = helpers.active_lb(api)
    amp = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                  % lb['id']).json['amphorae'][0]
    _fault(_send(api, 'PUT', '/v2/octavia/amphorae/' + amp['id'],
                 body={'amphora': {}}), 405)
    dist = helpers.post(api, '/v2/octavia/distributors', 'distributor',
                        {'name': 'd'})['distributor']
    resp = _send(api, 'PUT', '/v2/octavia/distributors/' + dist['id'],
                 body={'distributor': {'name': 'x'}})
    _fault(resp, 405)
    assert resp.headers['Allow'] == 'GET, DELETE'
    cluster = api.get('/v2/octavia/clusters').json['clusters']
    resp = _send(api, 'DELETE', '/v2/octavia/clusters/' + cluster[0]['id'])
    _fault(resp, 405)
    assert resp.headers['Allow'] == 'GET, PUT'



# (method, path, request, status, word in the fault): bodies and query
# strings that used to reach the database or the JSON decoder.
CASES = {
    'connection_limit_2^70': ('POST', '/v2/lbaas/listeners', dict(body={
        'listener': {'loadbalancer_id': UUID, 'protocol': 'HTTP',
                     'protocol_port': 80, 'connection_limit': 2 ** 70}}),
        400, 'connection_limit'),
    'hsts_max_age_2^70': ('PUT', '/v2/lbaas/listeners/{listener}', dict(
        body={'listener': {'hsts_max_age': 2 ** 70}}), 400, 'hsts_max_age'),
    'filter_protocol_port_2^80': (
        'GET', '/v2/lbaas/listeners?protocol_port=999999999999999999999999',
        {}, 400, 'protocol_port'),
    'filter_weight_2^70': (
        'GET', '/v2/lbaas/pools/{pool}/members?weight=%d' % 2 ** 70, {}, 400,
        'weight'),
    'filter_connection_limit_2^40': (
        'GET', '/v2/lbaas/listeners?connection_limit=%d' % 2 ** 40, {}, 400,
        'connection_limit'),
    'filter_int_not_a_number': (
        'GET', '/v2/lbaas/l7policies?redirect_http_code=abc', {}, 400,
        'redirect_http_code'),
    'filter_bool_column_of_a_text_field': (
        'GET', '/v2/octavia/amphorae?cert_busy=maybe', {}, 400, 'cert_busy'),
    'lone_surrogate_name': ('POST', LB, dict(
        raw=b'{"loadbalancer": {"name": "\\ud800", '
            b'"vip_subnet_id": "public-subnet"}}'), 400, 'U+D800'),
    'lone_surrogate_key': ('POST', LB, dict(
        raw=b'{"loadbalancer": {"\\udfff": 1}}'), 400, 'U+DFFF'),
    'lone_surrogate_in_a_tag': ('PUT', LB + '/{lb}', dict(
        raw=b'{"loadbalancer": {"tags": ["\\udbff"]}}'), 400, 'U+DBFF'),
    'nul_in_name': ('POST', LB, dict(body={'loadbalancer': {
        'name': 'a\x00b', 'vip_subnet_id': 'public-subnet'}}), 400,
        'U+0000'),
    'nul_in_a_dict_value': ('PUT', '/v2/lbaas/listeners/{listener}', dict(
        body={'listener': {'insert_headers': {'X-Forwarded-For': '\x00'}}}),
        400, 'U+0000'),
    'nul_in_a_filter': ('GET', LB + '?name=%00', {}, 400, 'U+0000'),
    'nul_in_an_id': ('GET', LB + '/%00', {}, 400, 'U+0000'),
    'surrogate_in_a_filter': ('GET', LB + '?name=%ED%A0%80', {}, 400,
                              'UTF-8'),
    'nul_in_a_marker': ('GET', LB + '?marker=%00', {}, 400, 'U+0000'),
    'not_utf8_url': ('GET', LB + '?name=%ff', {}, 400, 'UTF-8'),
    'json_20000_deep': ('POST', LB, dict(raw=b'[' * 20000 + b']' * 20000),
                        400, 'nested'),
    'json_40_deep_object': ('POST', LB, dict(
        raw=b'{"loadbalancer": ' + b'{"a": ' * 40 + b'1' + b'}' * 41), 400,
        'nested'),
    'flavor_data_deep': ('POST', '/v2/lbaas/flavorprofiles', dict(body={
        'flavorprofile': {'name': 'deep', 'provider_name': 'amphora',
                          'flavor_data': '[' * 2000 + ']' * 2000}}), 400,
        'flavor_data'),
    'expected_codes_unicode_digits': ('POST', '/v2/lbaas/healthmonitors',
                                      dict(body={'healthmonitor': {
                                          'pool_id': '%(pool)s',
                                          'type': 'HTTP', 'delay': 5,
                                          'timeout': 3, 'max_retries': 3,
                                          'expected_codes': '²²²'}}),
                                      400, 'expected_codes'),
    'expected_codes_two_ranges': ('POST', '/v2/lbaas/healthmonitors',
                                  dict(body={'healthmonitor': {
                                      'pool_id': '%(pool)s', 'type': 'HTTP',
                                      'delay': 5, 'timeout': 3,
                                      'max_retries': 3,
                                      'expected_codes': '200-204-300'}}),
                                  400, 'expected_codes'),
    'empty_string_for_an_int': ('PUT', '/v2/lbaas/pools/{pool}/members/' +
                                UUID, dict(body={'member': {
                                    'monitor_port': ''}}), 400,
                                'monitor_port'),
    'member_address_null': ('POST', '/v2/lbaas/pools/{pool}/members', dict(
        body={'member': {'address': None, 'protocol_port': 80}}), 400,
        'address'),
    'batch_member_address_null': ('PUT', '/v2/lbaas/pools/{pool}/members',
                                  dict(body={'members': [
                                      {'address': None,
                                       'protocol_port': 80}]}), 400,
                                  'address'),
    'sort_tags': ('GET', LB + '?sort=tags:asc', {}, 400, 'tags'),
    'sort_insert_headers': ('GET', '/v2/lbaas/listeners?sort=insert_headers'
                            ':asc', {}, 400, 'insert_headers'),
    'filter_insert_headers': ('GET', '/v2/lbaas/listeners?insert_headers=x',
                              {}, 400, 'insert_headers'),
    'filter_session_persistence': ('GET', '/v2/lbaas/pools?'
                                   'session_persistence=x', {}, 400,
                                   'session_persistence'),
    'filter_created_at_garbage': ('GET', LB + '?created_at=garbage', {}, 400,
                                  'created_at'),
    'x_project_id_300': ('POST', LB, dict(
        body={'loadbalancer': {'vip_subnet_id': 'public-subnet'}},
        headers={'X-Project-Id': LONG}), 400, 'X-Project-Id'),
    'quota_project_300': ('PUT', '/v2/lbaas/quotas/' + LONG, dict(
        body={'quota': {'load_balancer': 5}}), 400, 'project_id'),
    'project_id_300_in_body': ('POST', LB, dict(body={'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'project_id': LONG}}), 400,
        'project_id'),
    'nan_in_insert_headers': ('PUT', '/v2/lbaas/listeners/{listener}', dict(
        raw=b'{"listener": {"insert_headers": {"X-Forwarded-For": NaN}}}'),
        400, 'NaN'),
    'infinity_in_quota': ('PUT', '/v2/lbaas/quotas/' + UUID, dict(
        raw=b'{"quota": {"load_balancer": Infinity}}'), 400, 'Infinity'),
    'float_overflow_in_a_dict': ('PUT', '/v2/lbaas/listeners/{listener}',
                                 dict(raw=b'{"listener": {"insert_headers": '
                                          b'{"X-Forwarded-For": 1e999}}}'),
                                 400, '1e999'),
    'multipart_without_boundary': ('POST', LB, dict(
        raw=b'garbage', content_type='multipart/form-data'), 400,
        'boundary'),
    'minus_infinity_weight': ('POST', '/v2/lbaas/pools/{pool}/members', dict(
        raw=b'{"member": {"address": "192.0.2.9", "protocol_port": 80, '
            b'"weight": -Infinity}}'), 400, '-Infinity'),
}
# What went wrong on one backend only is checked on all three.
ON_ALL = {'filter_protocol_port_2^80', 'filter_weight_2^70',
          'filter_connection_limit_2^40', 'filter_int_not_a_number',
          'filter_bool_column_of_a_text_field', 'lone_surrogate_name',
          'nul_in_name', 'nul_in_a_filter', 'nul_in_an_id', 'sort_tags',
          'sort_insert_headers', 'filter_insert_headers',
          'filter_session_persistence', 'filter_created_at_garbage',
          'x_project_id_300', 'quota_project_300', 'project_id_300_in_body',
          'nan_in_insert_headers', 'connection_limit_2^70',
          'hsts_max_age_2^70'}
PARAMS = [pytest.param(b, name, id='%s-%s' % (name, b))
          for name in CASES for b in (BACKENDS if name in ON_ALL
                                      else ['sqlite'])]


@pytest.mark.parametrize('backend_api,name', PARAMS,
                         indirect=['backend_api'])
def test_refused_with_a_4xx(backend_api, name):
    method, path, kw, status, word = CASES[name]
    _check(backend_api, method, path, status, word, **kw)


@pytest.mark.parametrize('backend_api', BACKENDS, indirect=True)
def test_good_timestamp_and_int_filters_still_work(backend_api):
    api = backend_api
    world = _world(api)
    lbs = api.get(LB + '?created_at=2000-01-01T00:00:00Z').json
    assert lbs['loadbalancers'] == []
    listeners = api.get('/v2/lbaas/listeners?protocol_port=80&id=%s'
                        % world['listener']).json['listeners']
    assert [li['id'] for li in listeners] == [world['listener']]
    rows = api.get(LB + '?sort=name:asc,created_at:desc').json
    assert world['lb'] in [lb['id'] for lb in rows['loadbalancers']]


def test_largest_int_is_stored(api, worker):
    """The cap is the column's own range, not lower."""
    lb = helpers.active_lb(api)
    listener = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP', 'protocol_port': 81,
        'connection_limit': 2 ** 31 - 1})['listener']
    assert listener['connection_limit'] == 2 ** 31 - 1
    text = _fault(_send(api, 'POST', '/v2/lbaas/listeners', body={
        'listener': {'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
                     'protocol_port': 82, 'connection_limit': 2 ** 31}}), 400)
    assert '2147483647' in text


def test_body_over_the_limit_is_a_json_413(api, overrides):
    overrides('max_request_body_size', 1000, 'oslo_middleware')
    import webtest

    from octavia_aa.api import app
    small = webtest.TestApp(app.setup_app())
    resp = small.post(LB, b'{"loadbalancer": {"name": "%s"}}' % (b'x' * 2000),
                      content_type='application/json',
                      headers={'Accept': 'text/html'}, expect_errors=True)
    assert '1000' in _fault(resp, 413)
    assert 'X-Openstack-Request-Id' in resp.headers


@pytest.fixture(scope='module')
def real_api(tmp_path_factory):
    from tests import service
    with service.run_all(tmp_path_factory.mktemp('all')) as url:
        yield url


def _raw(url, request):
    """Send `request` bytes as they are; the status and the parsed body."""
    import socket
    import urllib.parse
    host, port = urllib.parse.urlsplit(url).netloc.split(':')
    with socket.create_connection((host, int(port)), 10) as sock:
        sock.sendall(request)
        data = b''
        while True:
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    head, _, body = data.partition(b'\r\n\r\n')
    assert b'application/json' in head, head
    return int(head.split()[1]), json.loads(body)


@pytest.mark.parametrize('request_bytes,status', [
    (b'GET /v2/lbaas/loadbalancers?name=' + b'x' * 9000 +
     b' HTTP/1.1\r\nHost: x\r\n\r\n', 414),
    (b'GET /v2/lbaas/loadbalancers HTTP/1.1\r\nHost: x\r\nX-Big: ' +
     b'y' * 9000 + b'\r\n\r\n', 431),
    (b''.join([b'GET /v2/lbaas/loadbalancers HTTP/1.1\r\n'] +
              [b'X-H%d: 1\r\n' % i for i in range(200)] + [b'\r\n']), 431),
    (b'GET /v2 HTTP/1.1 extra\r\nHost: x\r\n\r\n', 400),
], ids=['url-414', 'header-431', 'headers-431', 'bad-line-400'])
def test_server_limits_are_json_faults(real_api, request_bytes, status):
    code, body = _raw(real_api, request_bytes)
    assert code == status
    assert body['faultcode'] == 'Client' and body['faultstring']


def test_server_body_limit_is_a_json_413(real_api):
    body = b'{"loadbalancer": {"name": "%s"}}' % (b'x' * 200000)
    code, fault = _raw(real_api, b'POST /v2/lbaas/loadbalancers HTTP/1.1\r\n'
                       b'Host: x\r\nContent-Type: application/json\r\n'
                       b'Content-Length: %d\r\nConnection: close\r\n\r\n'
                       % len(body) + body)
    assert code == 413 and 'at most' in fault['faultstring']


# Found by the fuzz test (test_fuzz.py).
def test_renaming_a_flavor_to_a_taken_empty_name_is_409(api):
    first = helpers.flavor(api, {}, name='')
    second = helpers.flavor(api, {}, name='other')
    text = _fault(_send(api, 'PUT', '/v2/lbaas/flavors/' + second['id'],
                        body={'flavor': {'name': ''}}), 409)
    assert 'already exists' in text
    assert api.get('/v2/lbaas/flavors/' + first['id']).json['flavor'][
        'name'] == ''


def test_batch_members_keep_the_pool_project(api):
    world = _world(api)
    resp = _send(api, 'PUT', '/v2/lbaas/pools/%s/members' % world['pool'],
                 body={'members': [{'address': '192.0.2.20',
                                    'protocol_port': 80,
                                    'project_id': 'someone-else'}]})
    assert resp.status_int == 202, resp.body
    members = api.get('/v2/lbaas/pools/%s/members' % world['pool']).json[
        'members']
    lb = api.get(LB + '/' + world['lb']).json['loadbalancer']
    assert [mb['project_id'] for mb in members] == [lb['project_id']]


@pytest.mark.parametrize('backend_api', BACKENDS, indirect=True)
def test_characters_beyond_the_bmp_are_stored(backend_api):
    """MariaDB's utf8 (utf8mb3) connection refused them with a 500."""
    api = backend_api
    name = 'emoji \U0001f51a end'
    fp = helpers.post(api, '/v2/lbaas/flavorprofiles', 'flavorprofile', {
        'name': name, 'provider_name': 'amphora',
        'flavor_data': '{}'})['flavorprofile']
    assert api.get('/v2/lbaas/flavorprofiles/' + fp['id']).json[
        'flavorprofile']['name'] == name
    found = api.get('/v2/lbaas/flavorprofiles?name=%F0%9F%94%9A').json
    assert found['flavorprofiles'] == []
    _fault(_send(api, 'GET', '/v2/lbaas/flavors/%F0%9F%94%9A'), 404)


@pytest.mark.parametrize('backend_api', BACKENDS, indirect=True)
def test_null_list_is_the_default_not_json_null(backend_api):
    """Found by the fuzz test's response check: a NOT NULL JSON column
    took JSON null and the API served null where a list is documented."""
    from octavia_aa.controller.worker import service
    api = backend_api
    world = _world(api)
    lb_path = '%s/%s' % (LB, world['lb'])
    svc = service.WorkerService()
    svc.start()
    try:
        listener = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
            'loadbalancer_id': world['lb'], 'protocol': 'TCP',
            # A port no other test's listener on this database holds.
            'protocol_port': 7000 + uuid.uuid4().int % 2000,
            'sni_container_refs': None, 'allowed_cidrs': None,
            'insert_headers': None})['listener']
        assert listener['sni_container_refs'] == []
        assert listener['allowed_cidrs'] == []
        assert listener['insert_headers'] == {}
        helpers.wait_for(api, lb_path, 'loadbalancer')
        # A list field with no default of its own: the column's.
        pool = helpers.post(api, '/v2/lbaas/pools', 'pool', {
            'loadbalancer_id': world['lb'], 'protocol': 'TCP',
            'lb_algorithm': 'ROUND_ROBIN', 'alpn_protocols': None,
            'tls_versions': None})['pool']
        assert (pool['alpn_protocols'], pool['tls_versions']) == ([], [])
        # The shared load balancer back to ACTIVE for the tests after.
        helpers.wait_for(api, lb_path, 'loadbalancer')
    finally:
        svc.stop()
