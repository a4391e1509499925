"""Availability zones and their profiles as upstream Octavia has them:
CRUD, validation of availability_zone_data against our provider's
capabilities, 409 while in use, upstream's policy, and a load balancer made
in a zone, whose amphorae the compute driver builds with the zone's data."""
import json

import pecan
import pytest
import webtest

from octavia_aa.api import hooks
from octavia_aa.common import drivers
from octavia_aa.db import api as db_api
from octavia_aa.db import migration
from octavia_aa.network import subnets
from tests.functional import dbservers
from tests.functional.api import helpers

AZP = '/v2/lbaas/availabilityzoneprofiles'
AZ = '/v2/lbaas/availabilityzones'
CAPS = '/v2/lbaas/providers/amphora/availability_zone_capabilities'
NIL = '00000000-0000-0000-0000-000000000000'
PROJECT = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'


def _profile(api, data=None, name='azp', status=201):
    body = {'name': name, 'provider_name': 'amphora',
            'availability_zone_data': json.dumps(
                {'compute_zone': 'nova-1'} if data is None else data)}
    resp = api.post_json(AZP, {'availability_zone_profile': body},
                         status=status, expect_errors=status >= 400)
    return resp.json.get('availability_zone_profile', resp.json)


def _zone(api, profile_id, name='az1', status=201, **extra):
    body = dict(name=name, availability_zone_profile_id=profile_id, **extra)
    resp = api.post_json(AZ, {'availability_zone': body}, status=status,
                         expect_errors=status >= 400)
    return resp.json.get('availability_zone', resp.json)


def _fault(resp):
    return resp.json['faultstring']


# --- profiles -------------------------------------------------------------

def test_profile_crud(api):
    azp = _profile(api)
    assert set(azp) == {'id', 'name', 'provider_name',
                        'availability_zone_data'}
    assert json.loads(azp['availability_zone_data']) == {
        'compute_zone': 'nova-1'}
    shown = api.get('%s/%s' % (AZP, azp['id'])).json
    assert shown['availability_zone_profile'] == azp
    listed = api.get(AZP).json
    assert listed['availability_zone_profiles'] == [azp]
    # Upstream's links key is singular ("profile").
    assert listed['availability_zone_profile_links'] == []
    updated = api.put_json('%s/%s' % (AZP, azp['id']), {
        'availability_zone_profile': {
            'name': 'renamed', 'availability_zone_data': json.dumps(
                {'compute_zone': 'nova-2'})}}).json[
        'availability_zone_profile']
    assert updated['name'] == 'renamed'
    assert json.loads(updated['availability_zone_data']) == {
        'compute_zone': 'nova-2'}
    api.delete('%s/%s' % (AZP, azp['id']), status=204)
    resp = api.get('%s/%s' % (AZP, azp['id']), status=404)
    assert _fault(resp) == ('Availability Zone Profile %s not found.'
                            % azp['id'])


def test_profile_fields_and_filters(api):
    one = _profile(api, name='one')
    _profile(api, name='two', data={'valid_vip_networks': ['x']})
    listed = api.get(AZP + '?name=one').json['availability_zone_profiles']
    assert [p['id'] for p in listed] == [one['id']]
    only = api.get(AZP + '?fields=id&fields=name').json[
        'availability_zone_profiles']
    assert all(set(p) == {'id', 'name'} for p in only) and len(only) == 2
    shown = api.get('%s/%s?fields=provider_name' % (AZP, one['id'])).json
    assert shown == {'availability_zone_profile': {
        'provider_name': 'amphora'}}
    page = api.get(AZP + '?limit=1').json
    assert len(page['availability_zone_profiles']) == 1
    assert page['availability_zone_profile_links'][0]['rel'] == 'next'


@pytest.mark.parametrize('data, message', [
    ({'foo': 'bar'}, "Additional properties are not allowed ('foo' was "
                     "unexpected)"),
    ({'compute_zone': 5}, "compute_zone 5 is not of type 'string'"),
    ({'valid_vip_networks': 'net'},
     "valid_vip_networks 'net' is not of type 'array'"),
    ({'volume_zone': 'v1'}, 'volume_zone: octavia-aa boots amphorae '
                            'without volumes'),
    ([1], "[1] is not of type 'object'"),
])
def test_profile_data_is_checked(api, data, message):
    resp = _profile(api, data, status=400)
    assert resp['faultstring'].startswith(
        "Provider 'amphora' does not support a requested option: ")
    assert message in resp['faultstring']


def test_profile_bad_input(api):
    resp = api.post_json(AZP, {'availability_zone_profile': {
        'name': 'x', 'provider_name': 'amphora',
        'availability_zone_data': '{not json'}}, status=400)
    assert _fault(resp) == ('{not json is not a valid option for '
                            'availability_zone_data')
    resp = api.post_json(AZP, {'availability_zone_profile': {
        'provider_name': 'amphora', 'availability_zone_data': '{}'}},
        status=400)
    assert _fault(resp) == ("Invalid input for field/attribute name. Value: "
                            "'None'. Mandatory field missing.")
    resp = api.post_json(AZP, {'availability_zone_profile': {
        'name': 'x', 'provider_name': 'nope',
        'availability_zone_data': '{}'}}, status=400)
    assert 'nope' in _fault(resp)
    api.post_json(AZP, {'availability_zone_profile': {
        'name': 'x', 'provider_name': 'amphora',
        'availability_zone_data': 'n' * 4097}}, status=400)
    azp = _profile(api)
    for key in ('name', 'provider_name', 'availability_zone_data'):
        resp = api.put_json('%s/%s' % (AZP, azp['id']), {
            'availability_zone_profile': {key: None}}, status=400)
        assert _fault(resp) == 'None is not a valid option for %s' % key
    resp = api.put_json('%s/%s' % (AZP, azp['id']), {
        'availability_zone_profile': {
            'availability_zone_data': '{"bogus": 1}'}}, status=400)
    assert 'bogus' in _fault(resp)
    for method in (api.get, api.delete):
        resp = method('%s/%s' % (AZP, NIL), status=404)
        assert _fault(resp) == 'Availability Zone Profile %s not found.' % NIL


def test_profile_in_use_is_409(api):
    azp = _profile(api)
    _zone(api, azp['id'])
    in_use = 'Availability Zone Profile %s is in use and cannot be ' \
             'modified.' % azp['id']
    resp = api.delete('%s/%s' % (AZP, azp['id']), status=409)
    assert _fault(resp) == in_use
    for change in ({'availability_zone_data': '{}'},
                   {'provider_name': 'amphora'}):
        resp = api.put_json('%s/%s' % (AZP, azp['id']), {
            'availability_zone_profile': change}, status=409)
        assert _fault(resp) == in_use
    # The name is no part of what the zone means: it may change.
    api.put_json('%s/%s' % (AZP, azp['id']), {
        'availability_zone_profile': {'name': 'new'}})


# --- zones ---------------------------------------------------------------

def test_zone_crud(api):
    azp = _profile(api)
    az = _zone(api, azp['id'], description='first')
    assert az == {'name': 'az1', 'description': 'first', 'enabled': True,
                  'availability_zone_profile_id': azp['id']}
    plain = _zone(api, azp['id'], name='az2')
    assert plain['description'] == ''
    assert api.get(AZ + '/az1').json['availability_zone'] == az
    names = [z['name'] for z in api.get(AZ).json['availability_zones']]
    assert sorted(names) == ['az1', 'az2']
    updated = api.put_json(AZ + '/az1', {'availability_zone': {
        'description': 'better', 'enabled': False}}).json[
        'availability_zone']
    assert (updated['description'], updated['enabled']) == ('better', False)
    api.put_json(AZ + '/az1', {'availability_zone': {}})
    assert api.get(AZ + '/az1').json['availability_zone'] == updated
    api.delete(AZ + '/az1', status=204)
    resp = api.get(AZ + '/az1', status=404)
    assert _fault(resp) == 'Availability Zone az1 not found.'
    resp = api.delete(AZ + '/bogus_name', status=404)
    assert _fault(resp) == 'Availability Zone bogus_name not found.'


def test_zone_validation(api):
    azp = _profile(api)
    _zone(api, azp['id'])
    resp = _zone(api, azp['id'], status=409)
    assert resp['faultstring'] == 'A availability zone of az1 already exists.'
    resp = _zone(api, 'bogus', name='x', status=400)
    assert resp['faultstring'] == (
        "Invalid input for field/attribute availability_zone_profile_id. "
        "Value: 'bogus'. Value should be UUID format")
    resp = api.post_json(AZ, {'availability_zone': {'name': 'xyz'}},
                         status=400)
    assert _fault(resp) == (
        "Invalid input for field/attribute availability_zone_profile_id. "
        "Value: 'None'. Mandatory field missing.")
    _zone(api, NIL, name='x', status=400)
    _zone(api, azp['id'], name='n' * 256, status=400)
    _zone(api, azp['id'], name='y', description='n' * 256, status=400)
    # Neither the profile nor the name of a zone changes.
    for change in ({'availability_zone_profile_id': NIL}, {'name': 'z'}):
        api.put_json(AZ + '/az1', {'availability_zone': change}, status=400)
    assert api.get(AZ + '/az1').json['availability_zone'][
        'availability_zone_profile_id'] == azp['id']
    api.put_json(AZ + '/' + NIL, {'availability_zone': {}}, status=404)


def test_zone_fields_filters_pagination(api):
    azp = _profile(api)
    for name in ('a1', 'a2', 'a3'):
        _zone(api, azp['id'], name=name, enabled=name != 'a2')
    only = api.get(AZ + '?fields=name').json['availability_zones']
    assert only == [{'name': 'a1'}, {'name': 'a2'}, {'name': 'a3'}]
    off = api.get(AZ + '?enabled=false').json['availability_zones']
    assert [z['name'] for z in off] == ['a2']
    assert api.get(AZ + '/a1?fields=enabled').json == {
        'availability_zone': {'enabled': True}}
    page = api.get(AZ + '?limit=2').json
    assert [z['name'] for z in page['availability_zones']] == ['a1', 'a2']
    nxt = page['availability_zones_links'][0]
    assert nxt['rel'] == 'next' and 'marker=a2' in nxt['href']
    rest = api.get(AZ + '?limit=2&marker=a2').json['availability_zones']
    assert [z['name'] for z in rest] == ['a3']


def test_capabilities(api):
    caps = api.get(CAPS).json['availability_zone_capabilities']
    by_name = {c['name']: c['description'] for c in caps}
    assert by_name == {
        'compute_zone': 'The compute availability zone.',
        'management_network': 'The management network ID for the amphora.',
        'valid_vip_networks': 'List of network IDs that are allowed for '
                              'VIP use.'}
    assert api.get(CAPS + '?name=compute_zone&fields=name').json == {
        'availability_zone_capabilities': [{'name': 'compute_zone'}]}
    api.get('/v2/lbaas/providers/nope/availability_zone_capabilities',
            status=404)


# --- policy --------------------------------------------------------------

@pytest.fixture
def keystone_app(database, overrides):
    overrides('auth_strategy', 'keystone', 'api_settings')
    return webtest.TestApp(pecan.make_app(
        'octavia_aa.api.root.RootController',
        hooks=[hooks.ContextHook(), hooks.ErrorHook()],
        force_canonical=False))


def _as(roles):
    return {'X-Project-Id': PROJECT, 'X-Roles': roles,
            'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u'}


def test_policy_as_upstream(keystone_app):
    app = keystone_app
    admin = _as('admin')
    member = _as('member')
    reader = _as('reader')
    body = {'name': 'p', 'provider_name': 'amphora',
            'availability_zone_data': '{}'}
    app.post_json(AZP, {'availability_zone_profile': body}, headers=member,
                  status=403)
    azp = app.post_json(AZP, {'availability_zone_profile': body},
                        headers=admin).json['availability_zone_profile']
    for who in (member, reader):
        app.get(AZP, headers=who, status=403)
        app.get('%s/%s' % (AZP, azp['id']), headers=who, status=403)
        app.get(CAPS, headers=who, status=403)
    app.get(CAPS, headers=admin)
    zone = {'name': 'az', 'availability_zone_profile_id': azp['id']}
    app.post_json(AZ, {'availability_zone': zone}, headers=member,
                  status=403)
    app.post_json(AZ, {'availability_zone': zone}, headers=admin)
    for who in (member, reader):
        assert [z['name'] for z in app.get(
            AZ, headers=who).json['availability_zones']] == ['az']
        app.get(AZ + '/az', headers=who)
        app.put_json(AZ + '/az', {'availability_zone': {'enabled': False}},
                     headers=who, status=403)
        app.delete(AZ + '/az', headers=who, status=403)
        app.put_json('%s/%s' % (AZP, azp['id']), {
            'availability_zone_profile': {'name': 'x'}}, headers=who,
            status=403)
        app.delete('%s/%s' % (AZP, azp['id']), headers=who, status=403)
    # Policy before existence, as upstream.
    app.delete(AZ + '/nothing', headers=member, status=403)
    app.delete(AZ + '/az', headers=admin, status=204)
    app.delete('%s/%s' % (AZP, azp['id']), headers=admin, status=204)


# --- load balancers in a zone --------------------------------------------

def _network_id(name):
    return subnets.find(name).network_id


def test_lb_create_checks_the_zone(api):
    public = _network_id('public-subnet')
    azp = _profile(api, {'compute_zone': 'nova-1',
                         'valid_vip_networks': [public]})
    _zone(api, azp['id'], name='good')
    _zone(api, azp['id'], name='off', enabled=False)
    resp = api.post_json(helpers.LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'availability_zone': 'nowhere'}},
        status=400)
    assert _fault(resp) == 'Validation failure: Invalid availability zone.'
    resp = api.post_json(helpers.LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'availability_zone': 'off'}},
        status=400)
    assert _fault(resp) == ('The selected availability_zone is not allowed '
                            'in this deployment: off')
    resp = api.post_json(helpers.LB, {'loadbalancer': {
        'vip_subnet_id': 'private-subnet', 'availability_zone': 'good'}},
        status=400)
    assert _fault(resp) == (
        'Validation failure: Supplied VIP network_id is not allowed by the '
        'configuration of this deployment.')
    lb = api.post_json(helpers.LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'availability_zone': 'good'}},
        status=201).json['loadbalancer']
    assert lb['availability_zone'] == 'good'
    listed = api.get(helpers.LB + '?availability_zone=good').json[
        'loadbalancers']
    assert [x['id'] for x in listed] == [lb['id']]
    # In use by a load balancer: the zone stays.
    resp = api.delete(AZ + '/good', status=409)
    assert _fault(resp) == ('Availability Zone good is in use and cannot be '
                            'modified.')
    # Disabling it afterwards keeps existing load balancers as they are.
    api.put_json(AZ + '/good', {'availability_zone': {'enabled': False}})
    assert api.get('%s/%s' % (helpers.LB, lb['id'])).json['loadbalancer'][
        'availability_zone'] == 'good'


def test_compute_driver_gets_the_zone(api, worker):
    azp = _profile(api, {'compute_zone': 'nova-7',
                         'management_network': 'lb-mgmt-net'})
    _zone(api, azp['id'], name='zone7')
    lb = helpers.active_lb(api, availability_zone='zone7')
    plain = helpers.active_lb(api)
    machines = drivers.get('compute').machines.values()
    by_lb = {}
    amps = api.get('/v2/octavia/amphorae').json['amphorae']
    lb_of = {a['id']: a['loadbalancer_id'] for a in amps}
    for machine in machines:
        if machine['kind'] == 'amphora':
            by_lb.setdefault(lb_of[machine['entity_id']], []).append(
                machine['availability_zone'])
    assert by_lb[lb['id']] and all(
        z == {'compute_zone': 'nova-7', 'management_network': 'lb-mgmt-net'}
        for z in by_lb[lb['id']])
    assert by_lb[plain['id']] and all(z is None for z in by_lb[plain['id']])
    assert {a['cached_zone'] for a in amps
            if a['loadbalancer_id'] == lb['id']} == {'nova-7'}
    # Once the load balancer is gone, so may the zone go.
    api.delete('%s/%s' % (helpers.LB, lb['id']), status=204)
    helpers.wait_gone(api, '%s/%s' % (helpers.LB, lb['id']))
    api.delete(AZ + '/zone7', status=204)


def test_netns_network_driver_refuses_another_management_network(
        api, overrides):
    overrides('network_driver', 'network_netns_driver', 'controller_worker')
    mgmt = subnets.declared('lb-mgmt-subnet')
    resp = _profile(api, {'management_network': 'public'}, status=400)
    assert resp['faultstring'].startswith(
        "Invalid input for field/attribute "
        "availability_zone_data.management_network. Value: 'public'.")
    assert mgmt.network_id in resp['faultstring']
    # Its own management network, by id or name, and any compute zone
    # (there is one host) are fine.
    for ref in (mgmt.network_id, mgmt.network_name):
        _profile(api, {'management_network': ref, 'compute_zone': 'any'},
                 name=ref)


@pytest.mark.parametrize('backend', ['mariadb', 'postgresql'])
def test_zone_locks_on_real_databases(api, overrides, backend):
    """The share lock a load balancer create takes on its zone, and the
    delete's exclusive one, are valid SQL on both servers."""
    with dbservers.database(backend) as url:
        overrides('connection', url, 'database')
        db_api.reset()
        migration.upgrade()
        try:
            azp = _profile(api)
            _zone(api, azp['id'], name='zone-db')
            lb = api.post_json(helpers.LB, {'loadbalancer': {
                'vip_subnet_id': 'public-subnet',
                'availability_zone': 'zone-db'}}).json['loadbalancer']
            assert lb['availability_zone'] == 'zone-db'
            api.delete(AZ + '/zone-db', status=409)
            api.delete('%s/%s' % (AZP, azp['id']), status=409)
            _zone(api, azp['id'], name='spare')
            api.delete(AZ + '/spare', status=204)
        finally:
            db_api.reset()
