"""Upstream's verbs, names and query parameters that Octavia's tools use
(issue items 7 and 8), and request-time refusals of what the data plane
does not serve (item 10)."""
import json
import uuid

import pytest
import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from tests.amphora import tlsutil
from tests.functional.api import helpers

LB = helpers.LB


# --- fields= and filters everywhere --------------------------------------

@pytest.mark.parametrize('path,key', [
    ('/v2/lbaas/providers', 'providers'),
    ('/v2/lbaas/providers/amphora/flavor_capabilities',
     'flavor_capabilities'),
    ('/v2/lbaas/providers/amphora/availability_zone_capabilities',
     'availability_zone_capabilities'),
])
def test_static_lists_honour_fields_and_filters(api, path, key):
    items = api.get(path).json[key]
    assert len(items) > 1
    only = api.get(path + '?fields=name').json[key]
    assert only == [{'name': i['name']} for i in items]
    first = items[0]
    assert api.get(path, {'name': first['name']}).json[key] == [first]
    assert api.get(path, {'description': first['description']}).json[
        key] == [first]
    assert api.get(path, {'name': 'nothing-of-that-name'}).json[key] == []
    res = api.get(path, {'colour': 'red'}, status=400)
    assert 'colour' in res.json['faultstring']


def test_provider_descriptions_fit_a_dict_opt(api):
    providers = api.get('/v2/lbaas/providers').json['providers']
    names = {p['name'] for p in providers}
    assert {'amphora', 'octavia'} <= names
    for p in providers:
        assert ',' not in p['description'] and ':' not in p['description']


def test_octavia_provider_alias_creates(api, worker):
    lb = helpers.active_lb(api, provider='octavia')
    assert lb['provider'] == 'octavia'


def test_listeners_filter_on_load_balancer_id(api, worker):
    lb1, lb2 = helpers.active_lb(api), helpers.active_lb(api)
    for lb in (lb1, lb2):
        helpers.post(api, '/v2/lbaas/listeners', 'listener', {
            'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
            'protocol_port': 80})
        helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    for query in ('load_balancer_id', 'loadbalancer_id'):
        got = api.get('/v2/lbaas/listeners', {query: lb1['id']}).json[
            'listeners']
        assert [g['loadbalancers'][0]['id'] for g in got] == [lb1['id']]


def test_amphorae_filter_on_cluster_roles(api, worker):
    flavor = helpers.flavor(api, {'loadbalancer_topology': 'ACTIVE_ACTIVE',
                                  'cluster_desired_size': 2,
                                  'cluster_min_size': 1})
    helpers.active_lb(api, flavor_id=flavor['id'])
    for role, count in (('IN_CLUSTER', 2), ('IN_CLUSTER_STANDBY', 1)):
        amps = api.get('/v2/octavia/amphorae', {'role': role}).json[
            'amphorae']
        assert [a['role'] for a in amps] == [role] * count


# --- verbs ------------------------------------------------------------------

@pytest.mark.parametrize('method,path', [
    ('post', '/v2/octavia/clusters'),
    ('delete', '/v2/octavia/clusters/%s' % uuid.uuid4()),
    ('put', '/v2/lbaas/providers'),
    ('post', '/v2/lbaas/providers/amphora/flavor_capabilities'),
    ('delete', '/v2.0/subnets/%s' % uuid.uuid4()),
    ('post', '/v2/octavia/amphorae'),
    ('put', '/v2/octavia/amphorae/%s' % uuid.uuid4()),
])
def test_missing_methods_are_405(api, method, path):
    if method == 'post':
        res = api.post_json(path, {}, expect_errors=True)
    elif method == 'put':
        res = api.put_json(path, {}, expect_errors=True)
    else:
        res = api.delete(path, expect_errors=True)
    assert res.status_int == 405, res
    assert res.json['faultcode'] == 'Client'


def _amphora_rows(lb_id=None):
    with db_api.session_scope() as session:
        stmt = sa.select(models.Amphora)
        if lb_id:
            stmt = stmt.where(models.Amphora.load_balancer_id == lb_id)
        return list(session.scalars(stmt))


def _set_amphora_status(amp_id, status):
    with db_api.session_scope() as session:
        session.get(models.Amphora, amp_id).status = status


def _single_lb(api):
    flavor = helpers.flavor(api, {'loadbalancer_topology': 'SINGLE'},
                            name='single')
    return helpers.active_lb(api, flavor_id=flavor['id'])


def test_amphora_delete_only_in_error_and_replaced(api, worker):
    lb = _single_lb(api)
    (amp,) = _amphora_rows(lb['id'])
    path = '/v2/octavia/amphorae/%s' % amp.id
    res = api.delete(path, status=409)
    assert 'ERROR' in res.json['faultstring']
    _set_amphora_status(amp.id, c.ERROR)
    api.delete(path, status=204)
    helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    helpers.wait_gone(api, path)
    # Its load balancer kept an amphora: a replacement was built first.
    (new,) = _amphora_rows(lb['id'])
    assert new.id != amp.id and new.status == c.ALLOCATED


def test_spare_amphora_delete(api, worker):
    lb = _single_lb(api)
    (amp,) = _amphora_rows(lb['id'])
    with db_api.session_scope() as session:
        row = session.get(models.Amphora, amp.id)
        row.load_balancer_id = None
        row.status = c.ERROR
    api.delete('/v2/octavia/amphorae/%s' % amp.id, status=204)
    helpers.wait_gone(api, '/v2/octavia/amphorae/%s' % amp.id)
    assert drivers.get('compute').status(amp.compute_id) == 'DELETED'


def test_amphora_delete_is_admin_only(api):
    res = api.delete('/v2/octavia/amphorae/%s' % uuid.uuid4(),
                     headers={'X-Roles': 'member'}, expect_errors=True)
    assert res.status_int in (403, 404)


# --- what the data plane does not serve is refused at request time -------

@pytest.fixture
def rest_data_plane(overrides, tmp_path):
    """The API as it runs with the netns/REST data plane (no machine is
    built here: the checks are request-time only)."""
    store = tmp_path / 'certificates'
    tlsutil.write_server_pems(store, ['www'])
    overrides('amphora_driver', 'amphora_rest_driver', 'controller_worker')
    overrides('cert_manager', 'local_cert_manager', 'certificates')
    overrides('certificate_store', str(store), 'certificates')
    drivers.reset()
    return store


def _lb_row(api):
    """A load balancer row as an ACTIVE one would be (no worker runs with
    the REST driver here)."""
    lb = helpers.post(api, LB, 'loadbalancer', {
        'vip_subnet_id': 'public-subnet'})['loadbalancer']
    with db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb['id']).provisioning_status = \
            c.ACTIVE
    return lb


def test_sctp_listeners_are_refused_saying_why(api, rest_data_plane):
    lb = _lb_row(api)
    before = helpers.row_counts()
    res = api.post_json('/v2/lbaas/listeners', {'listener': {
        'loadbalancer_id': lb['id'], 'protocol': 'SCTP',
        'protocol_port': 9100}}, status=400)
    fault = res.json['faultstring']
    assert 'SCTP' in fault and 'amphora_driver' in fault
    # The reason, not a bare "yet": no IPVS and no SCTP in this kernel.
    assert 'CONFIG_IP_VS' in fault and 'CONFIG_IP_SCTP' in fault
    assert helpers.row_counts() == before


@pytest.mark.parametrize('protocol', ['UDP', 'PROMETHEUS'])
def test_udp_and_prometheus_listeners_are_accepted(api, rest_data_plane,
                                                   protocol):
    lb = _lb_row(api)
    api.post_json('/v2/lbaas/listeners', {'listener': {
        'loadbalancer_id': lb['id'], 'protocol': protocol,
        'protocol_port': 9100}}, status=201)


def test_sctp_pools_are_refused_saying_why(api, rest_data_plane):
    lb = _lb_row(api)
    res = api.post_json('/v2/lbaas/pools', {'pool': {
        'loadbalancer_id': lb['id'], 'protocol': 'SCTP',
        'lb_algorithm': 'ROUND_ROBIN'}}, status=400)
    assert 'SCTP' in res.json['faultstring']
    assert 'CONFIG_IP_SCTP' in res.json['faultstring']


def test_udp_pools_take_round_robin_and_source_ip_only(api,
                                                       rest_data_plane):
    lb = _lb_row(api)
    for algorithm in ('ROUND_ROBIN', 'SOURCE_IP'):
        api.post_json('/v2/lbaas/pools', {'pool': {
            'loadbalancer_id': lb['id'], 'protocol': 'UDP',
            'lb_algorithm': algorithm}}, status=201)
        with db_api.session_scope() as session:
            session.get(models.LoadBalancer, lb['id']).provisioning_status \
                = c.ACTIVE
    res = api.post_json('/v2/lbaas/pools', {'pool': {
        'loadbalancer_id': lb['id'], 'protocol': 'UDP',
        'lb_algorithm': 'LEAST_CONNECTIONS'}}, status=400)
    fault = res.json['faultstring']
    assert 'lb_algorithm' in fault and 'least-connection' in fault


def test_udp_members_must_be_of_the_vips_family(api, rest_data_plane):
    lb = _lb_row(api)
    pool = helpers.post(api, '/v2/lbaas/pools', 'pool', {
        'loadbalancer_id': lb['id'], 'protocol': 'UDP',
        'lb_algorithm': 'ROUND_ROBIN'})['pool']
    with db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb['id']).provisioning_status = \
            c.ACTIVE
    path = '/v2/lbaas/pools/%s/members' % pool['id']
    res = api.post_json(path, {'member': {
        'address': '2001:db8::5', 'protocol_port': 53}}, status=400)
    assert 'address' in res.json['faultstring']
    assert lb['vip_address'] in res.json['faultstring']
    res = api.put_json(path, {'members': [
        {'address': '2001:db8::5', 'protocol_port': 53}]}, status=400)
    assert 'address' in res.json['faultstring']
    api.post_json(path, {'member': {'address': '203.0.113.5',
                                    'protocol_port': 53}}, status=201)


def test_every_topology_is_served_by_the_rest_data_plane(api,
                                                        rest_data_plane):
    # ACTIVE_STANDBY used to be refused: the agent runs keepalived now.
    for topology in ('SINGLE', 'ACTIVE_STANDBY', 'ACTIVE_ACTIVE'):
        api.post_json('/v2/lbaas/flavorprofiles', {'flavorprofile': {
            'name': topology, 'provider_name': 'amphora',
            'flavor_data': json.dumps(
                {'loadbalancer_topology': topology})}}, status=201)


def test_unserved_topology_is_refused(api, rest_data_plane, monkeypatch):
    # A data plane that cannot hold a VIP by VRRP (as the REST driver
    # before keepalived): the flavor and the configured default are 400.
    from octavia_aa import topology as topo
    from octavia_aa.amphorae.drivers import rest
    monkeypatch.setattr(rest.RestAmphoraDriver, 'vip_holders', frozenset(
        {topo.VIP_BY_AMPHORA, topo.VIP_BY_DISTRIBUTOR}))
    res = api.post_json('/v2/lbaas/flavorprofiles', {'flavorprofile': {
        'name': 'ha', 'provider_name': 'amphora', 'flavor_data': json.dumps(
            {'loadbalancer_topology': 'ACTIVE_STANDBY'})}}, status=400)
    assert 'loadbalancer_topology' in res.json['faultstring']
    assert 'ACTIVE_STANDBY' in res.json['faultstring']


def test_configured_default_topology_is_checked(api, rest_data_plane,
                                                overrides, monkeypatch):
    from octavia_aa import topology as topo
    from octavia_aa.amphorae.drivers import rest
    monkeypatch.setattr(rest.RestAmphoraDriver, 'vip_holders', frozenset(
        {topo.VIP_BY_AMPHORA, topo.VIP_BY_DISTRIBUTOR}))
    overrides('loadbalancer_topology', 'ACTIVE_STANDBY', 'controller_worker')
    res = api.post_json(LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet'}}, status=400)
    assert 'ACTIVE_STANDBY' in res.json['faultstring']


def test_unresolvable_certificates_are_refused(api, rest_data_plane):
    lb = _lb_row(api)
    body = {'loadbalancer_id': lb['id'], 'protocol': 'TERMINATED_HTTPS',
            'protocol_port': 443, 'default_tls_container_ref': 'nope'}
    res = api.post_json('/v2/lbaas/listeners', {'listener': body},
                        status=400)
    assert 'default_tls_container_ref' in res.json['faultstring']
    assert 'nope' in res.json['faultstring']
    res = api.post_json('/v2/lbaas/listeners', {'listener': dict(
        body, default_tls_container_ref='../../etc/passwd')}, status=400)
    assert 'Could not retrieve certificate' in res.json['faultstring']
    res = api.post_json('/v2/lbaas/listeners', {'listener': dict(
        body, default_tls_container_ref='www',
        sni_container_refs=['www', 'other'])}, status=400)
    assert 'sni_container_refs' in res.json['faultstring']
    lst = api.post_json('/v2/lbaas/listeners', {'listener': dict(
        body, default_tls_container_ref='www')}, status=201).json
    assert lst['listener']['default_tls_container_ref'] == 'www'
