"""Every malformed request is refused with a 400 that names the field, and
nothing is written."""
import json

import pytest

from tests.functional.api import helpers

LB = helpers.LB
FP = '/v2/lbaas/flavorprofiles'
GOOD_UUID = '11111111-2222-3333-4444-555555555555'


def _refused(api, path, body, field, status=400, raw=None):
    before = helpers.row_counts()
    if raw is not None:
        resp = api.post(path, raw, content_type='application/json',
                        status=status)
    else:
        resp = api.post_json(path, body, status=status)
    assert resp.json['faultcode'] == 'Client'
    if field:
        assert field in resp.json['faultstring'], resp.json['faultstring']
    assert helpers.row_counts() == before, 'a refused request wrote rows'
    return resp.json['faultstring']


@pytest.mark.parametrize('body,field', [
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet', 'colour': 'red'}},
     'colour'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet', 'name': 42}},
     'name'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet',
                       'admin_state_up': 'maybe'}}, 'admin_state_up'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet',
                       'flavor_id': 'not-a-uuid'}}, 'flavor_id'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet',
                       'flavor_id': GOOD_UUID}}, 'flavor_id'),
    ({'loadbalancer': {'vip_subnet_id': 'no-such-subnet'}},
     'vip_subnet_id'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet',
                       'vip_address': '10.0.0.300'}}, 'vip_address'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet',
                       'vip_address': '203.0.113.9'}}, 'vip_address'),
    ({'loadbalancer': {'vip_subnet_id': 'public-subnet',
                       'provider': 'octavia-classic'}}, 'provider'),
    ({'loadbalancer': {'name': 'no-vip'}}, 'vip_subnet_id'),
    ({'loadbalancer': 'a string'}, 'loadbalancer'),
    ({'listener': {}}, 'loadbalancer'),
])
def test_load_balancer_bad_input(api, body, field):
    _refused(api, LB, body, field)


def test_malformed_json_body(api):
    msg = _refused(api, LB, None, None, raw=b'{"loadbalancer": {')
    assert 'JSON' in msg


@pytest.mark.parametrize('data,field', [
    ({'loadbalancer_topology': 'ACTIVE_PASSIVE'},
     'flavor_data.loadbalancer_topology'),
    ({'cluster_desired_size': 0}, 'flavor_data.cluster_desired_size'),
    ({'cluster_desired_size': 65}, 'flavor_data.cluster_desired_size'),
    ({'cluster_desired_size': 'four'}, 'flavor_data.cluster_desired_size'),
    ({'cluster_desired_size': 2, 'cluster_min_size': 3},
     'flavor_data.cluster_min_size'),
    ({'cluster_standby_count': -1}, 'flavor_data.cluster_standby_count'),
    ({'warp_drive': True}, 'flavor_data.warp_drive'),
])
def test_flavor_profile_bad_data(api, data, field):
    _refused(api, FP, {'flavorprofile': {
        'name': 'fp', 'provider_name': 'amphora',
        'flavor_data': json.dumps(data)}}, field)


def test_flavor_profile_data_not_json(api):
    _refused(api, FP, {'flavorprofile': {
        'name': 'fp', 'provider_name': 'amphora', 'flavor_data': '{nope'}},
        'flavor_data')


def test_min_size_above_config_desired_size(api, overrides):
    """The config default desired size counts too: a flavor that asks for
    a min size above it is refused when the load balancer is made."""
    overrides('cluster_desired_size', 2, 'controller_worker')
    flavor = helpers.flavor(api, {'cluster_min_size': 3})
    msg = _refused(api, LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'flavor_id': flavor['id']}},
        'cluster_min_size')
    assert 'desired' in msg


def test_disabled_flavor_is_refused(api):
    flavor = helpers.flavor(api, {'loadbalancer_topology': 'SINGLE'})
    api.put_json('/v2/lbaas/flavors/%s' % flavor['id'],
                 {'flavor': {'enabled': False}})
    _refused(api, LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'flavor_id': flavor['id']}},
        'flavor_id')


@pytest.mark.parametrize('body,field', [
    ({'protocol': 'HTTP', 'protocol_port': 0}, 'protocol_port'),
    ({'protocol': 'HTTP', 'protocol_port': 65536}, 'protocol_port'),
    ({'protocol': 'GOPHER', 'protocol_port': 70}, 'protocol'),
    ({'protocol': 'HTTP', 'protocol_port': 'eighty'}, 'protocol_port'),
    ({'protocol': 'HTTP', 'protocol_port': 80, 'connection_limit': -5},
     'connection_limit'),
    ({'protocol': 'HTTP'}, 'protocol_port'),
])
def test_listener_bad_input(api, body, field):
    _refused(api, '/v2/lbaas/listeners', {'listener': dict(
        body, loadbalancer_id=GOOD_UUID)}, field)


def test_unknown_load_balancer_is_404(api):
    resp = api.post_json('/v2/lbaas/listeners', {'listener': {
        'loadbalancer_id': GOOD_UUID, 'protocol': 'HTTP',
        'protocol_port': 80}}, status=404)
    assert GOOD_UUID in resp.json['faultstring']


@pytest.mark.parametrize('path', [
    LB + '/' + GOOD_UUID, '/v2/lbaas/listeners/' + GOOD_UUID,
    '/v2/lbaas/pools/' + GOOD_UUID, '/v2/lbaas/healthmonitors/' + GOOD_UUID,
    '/v2/lbaas/l7policies/' + GOOD_UUID, '/v2/lbaas/flavors/' + GOOD_UUID,
    '/v2/octavia/amphorae/' + GOOD_UUID, '/v2/octavia/clusters/' + GOOD_UUID,
    '/v2/octavia/distributors/' + GOOD_UUID,
    '/v2/lbaas/pools/%s/members' % GOOD_UUID,
    '/v2.0/subnets/no-such-subnet', LB + '/not-a-uuid'])
def test_unknown_ids_are_404(api, path):
    resp = api.get(path, status=404)
    assert resp.json['faultcode'] == 'Client'


def test_bad_filter_and_sort_keys(api):
    resp = api.get(LB + '?colour=red', status=400)
    assert 'colour' in resp.json['faultstring']
    resp = api.get(LB + '?sort=colour:asc', status=400)
    assert 'colour' in resp.json['faultstring']
    resp = api.get(LB + '?limit=many', status=400)
    assert 'limit' in resp.json['faultstring']
