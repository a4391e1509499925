"""Values as WSME coerces them (integers and booleans sent as strings, as
the CLI sends connection_limit), and null resetting a field to its
default (what every `openstack loadbalancer ... unset` option sends), as
upstream's _set_default_on_none."""
import pytest

from tests.functional.api import helpers

LB = helpers.LB


@pytest.fixture
def tree(api, worker):
    """An ACTIVE load balancer with a listener, a pool, a member, an HTTP
    health monitor and an L7 policy with a rule."""
    lb = helpers.active_lb(api)
    ids = {'lb': lb['id']}

    def make(path, key, body):
        obj = helpers.post(api, path, key, body)[key]
        helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
        return obj['id']
    ids['listener'] = make('/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'protocol_port': '8080', 'connection_limit': '1000'})
    ids['pool'] = make('/v2/lbaas/pools', 'pool', {
        'listener_id': ids['listener'], 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN'})
    ids['member'] = make('/v2/lbaas/pools/%s/members' % ids['pool'],
                         'member', {'address': '203.0.113.9',
                                    'protocol_port': '80', 'weight': '7',
                                    'backup': 'true'})
    ids['hm'] = make('/v2/lbaas/healthmonitors', 'healthmonitor', {
        'pool_id': ids['pool'], 'type': 'HTTP', 'delay': '5',
        'timeout': '3', 'max_retries': '2', 'max_retries_down': '5',
        'http_method': 'HEAD', 'url_path': '/health',
        'expected_codes': '202'})
    ids['l7policy'] = make('/v2/lbaas/l7policies', 'l7policy', {
        'listener_id': ids['listener'], 'action': 'REJECT',
        'position': '1'})
    ids['l7rule'] = make('/v2/lbaas/l7policies/%s/rules' % ids['l7policy'],
                         'rule', {'type': 'PATH', 'compare_type':
                                  'STARTS_WITH', 'value': '/x',
                                  'invert': 'yes'})
    return ids


PATHS = {
    'listener': ('/v2/lbaas/listeners/%(listener)s', 'listener'),
    'member': ('/v2/lbaas/pools/%(pool)s/members/%(member)s', 'member'),
    'hm': ('/v2/lbaas/healthmonitors/%(hm)s', 'healthmonitor'),
    'l7rule': ('/v2/lbaas/l7policies/%(l7policy)s/rules/%(l7rule)s',
               'rule'),
}


def _get(api, tree, kind):
    path, key = PATHS[kind]
    return api.get(path % tree).json[key]


def _put(api, tree, kind, body, status=200):
    path, key = PATHS[kind]
    res = api.put_json(path % tree, {key: body}, status=status)
    if status == 200:
        helpers.wait_for(api, '%s/%s' % (LB, tree['lb']), 'loadbalancer')
    return res


def test_strings_are_coerced_on_create(api, tree):
    listener = _get(api, tree, 'listener')
    assert (listener['protocol_port'], listener['connection_limit']) == (
        8080, 1000)
    member = _get(api, tree, 'member')
    assert (member['protocol_port'], member['weight'], member['backup']) == (
        80, 7, True)
    hm = _get(api, tree, 'hm')
    assert (hm['delay'], hm['timeout'], hm['max_retries'],
            hm['max_retries_down']) == (5, 3, 2, 5)
    assert _get(api, tree, 'l7rule')['invert'] is True


@pytest.mark.parametrize('kind,body,expected', [
    ('listener', {'connection_limit': '25'}, {'connection_limit': 25}),
    ('listener', {'timeout_client_data': '1234'},
     {'timeout_client_data': 1234}),
    ('member', {'weight': ' 3 ', 'backup': 'false'},
     {'weight': 3, 'backup': False}),
    ('member', {'admin_state_up': 0}, {'admin_state_up': False}),
    ('hm', {'delay': '9', 'max_retries_down': '2'},
     {'delay': 9, 'max_retries_down': 2}),
    ('l7rule', {'invert': 'off'}, {'invert': False}),
])
def test_strings_are_coerced_on_update(api, tree, kind, body, expected):
    _put(api, tree, kind, body)
    got = _get(api, tree, kind)
    assert {k: got[k] for k in expected} == expected


@pytest.mark.parametrize('kind,body,field', [
    ('listener', {'connection_limit': '-5'}, 'connection_limit'),
    ('listener', {'connection_limit': 'many'}, 'connection_limit'),
    ('listener', {'connection_limit': '1.5'}, 'connection_limit'),
    ('listener', {'timeout_client_data': '99999999999'},
     'timeout_client_data'),
    ('member', {'weight': '257'}, 'weight'),
    ('member', {'weight': '²'}, 'weight'),
    ('member', {'backup': 'TRUE!'}, 'backup'),
    ('hm', {'delay': 'soon'}, 'delay'),
    ('l7rule', {'invert': 'maybe'}, 'invert'),
])
def test_bad_strings_are_refused_naming_the_field(api, tree, kind, body,
                                                  field):
    res = _put(api, tree, kind, body, status=400)
    assert field in res.json['faultstring']


@pytest.mark.parametrize('kind,changed,reset', [
    ('listener', {'timeout_client_data': 7, 'timeout_member_connect': 7,
                  'timeout_member_data': 7, 'timeout_tcp_inspect': 7},
     {'timeout_client_data': 50000, 'timeout_member_connect': 5000,
      'timeout_member_data': 50000, 'timeout_tcp_inspect': 0}),
    ('listener', {'connection_limit': 10}, {'connection_limit': -1}),
    ('member', {'weight': 9, 'backup': True},
     {'weight': 1, 'backup': False}),
    ('hm', {'max_retries_down': 7}, {'max_retries_down': 3}),
    ('hm', {'http_method': 'POST', 'url_path': '/x',
            'expected_codes': '204'},
     {'http_method': 'GET', 'url_path': '/', 'expected_codes': '200'}),
    ('l7rule', {'invert': True}, {'invert': False}),
])
def test_null_resets_to_the_default(api, tree, kind, changed, reset):
    _put(api, tree, kind, changed)
    got = _get(api, tree, kind)
    assert {k: got[k] for k in changed} == changed
    _put(api, tree, kind, dict.fromkeys(changed))
    got = _get(api, tree, kind)
    assert {k: got[k] for k in reset} == reset


def test_null_resets_hsts_and_client_authentication(api, worker):
    """Fields that only TERMINATED_HTTPS listeners take: null on any
    listener is accepted and leaves the default (a 500 before)."""
    lb = helpers.active_lb(api)
    lst = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'protocol_port': 80})['listener']
    helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    path = '/v2/lbaas/listeners/%s' % lst['id']
    api.put_json(path, {'listener': {
        'hsts_include_subdomains': None, 'hsts_preload': None,
        'client_authentication': None}})
    got = api.get(path).json['listener']
    assert (got['hsts_include_subdomains'], got['hsts_preload'],
            got['client_authentication']) == (False, False, 'NONE')


def test_required_field_cannot_be_nulled(api, tree):
    res = _put(api, tree, 'hm', {'delay': None}, status=400)
    assert 'delay' in res.json['faultstring']
