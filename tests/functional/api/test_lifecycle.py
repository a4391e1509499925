"""Objects walk PENDING_* → ACTIVE through the real worker (noop drivers),
writes on PENDING objects get 409, cascade delete leaves nothing."""
import json
import time

import sqlalchemy as sa

from octavia_aa.db import api as db_api
from octavia_aa.db import models
from tests.functional.api import helpers

LB = helpers.LB


def _lb_path(lb):
    return '%s/%s' % (LB, lb['id'])


def test_active_active_lb_gets_cluster_and_amphorae(api, worker):
    flavor = helpers.flavor(api, {'loadbalancer_topology': 'ACTIVE_ACTIVE',
                                  'cluster_desired_size': 3,
                                  'cluster_min_size': 2,
                                  'cluster_standby_count': 1})
    lb = helpers.active_lb(api, flavor_id=flavor['id'])
    assert lb['topology'] == 'ACTIVE_ACTIVE'
    assert lb['flavor_id'] == flavor['id']
    assert lb['vip_address'].startswith('198.51.100.')
    amps = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                   % lb['id']).json['amphorae']
    roles = sorted(a['role'] for a in amps)
    assert roles == ['IN_CLUSTER'] * 3 + ['IN_CLUSTER_STANDBY']
    clusters = api.get('/v2/octavia/clusters?loadbalancer_id=%s'
                       % lb['id']).json['clusters']
    assert len(clusters) == 1
    cluster = clusters[0]
    assert (cluster['desired_size'], cluster['min_size'],
            cluster['standby_count']) == (3, 2, 1)
    assert cluster['provisioning_status'] == 'ACTIVE'
    assert {a['id'] for a in cluster['amphorae']} == {a['id'] for a in amps}


def test_single_and_active_standby_topologies(api, worker):
    for topology, roles in (('SINGLE', ['STANDALONE']),
                            ('ACTIVE_STANDBY', ['BACKUP', 'MASTER'])):
        flavor = helpers.flavor(api, {'loadbalancer_topology': topology},
                                name=topology)
        lb = helpers.active_lb(api, flavor_id=flavor['id'])
        amps = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                       % lb['id']).json['amphorae']
        assert sorted(a['role'] for a in amps) == roles
        assert api.get('/v2/octavia/clusters?loadbalancer_id=%s'
                       % lb['id']).json['clusters'] == []


def test_second_write_on_pending_lb_is_409(api):
    # No worker: the load balancer stays PENDING_CREATE.
    lb = helpers.post(api, LB, 'loadbalancer', {
        'vip_subnet_id': 'public-subnet'})['loadbalancer']
    assert lb['provisioning_status'] == 'PENDING_CREATE'
    resp = api.put_json(_lb_path(lb), {'loadbalancer': {'name': 'x'}},
                        status=409)
    assert 'immutable' in resp.json['faultstring']
    resp = api.post_json('/v2/lbaas/listeners', {'listener': {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'protocol_port': 80}}, status=409)
    api.delete(_lb_path(lb), status=409)
    assert api.get(_lb_path(lb)).json['loadbalancer']['name'] is None


def test_full_tree_then_cascade_delete_leaves_nothing(api, worker):
    before = helpers.row_counts()
    lb = helpers.active_lb(api)
    path = _lb_path(lb)
    listener = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'protocol_port': 80, 'name': 'web'})['listener']
    helpers.wait_for(api, '/v2/lbaas/listeners/' + listener['id'],
                     'listener')
    pool = helpers.post(api, '/v2/lbaas/pools', 'pool', {
        'listener_id': listener['id'], 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN'})['pool']
    helpers.wait_for(api, '/v2/lbaas/pools/' + pool['id'], 'pool')
    members = '/v2/lbaas/pools/%s/members' % pool['id']
    for i in (5, 6):
        member = helpers.post(api, members, 'member', {
            'address': '203.0.113.%d' % i, 'protocol_port': 8080,
            'subnet_id': 'private-subnet'})['member']
        helpers.wait_for(api, members + '/' + member['id'], 'member')
    hm = helpers.post(api, '/v2/lbaas/healthmonitors', 'healthmonitor', {
        'pool_id': pool['id'], 'type': 'HTTP', 'delay': 5, 'timeout': 3,
        'max_retries': 3})['healthmonitor']
    assert (hm['http_method'], hm['url_path'], hm['expected_codes']) == (
        'GET', '/', '200')
    helpers.wait_for(api, '/v2/lbaas/healthmonitors/' + hm['id'],
                     'healthmonitor')
    policy = helpers.post(api, '/v2/lbaas/l7policies', 'l7policy', {
        'listener_id': listener['id'], 'action': 'REDIRECT_TO_POOL',
        'redirect_pool_id': pool['id']})['l7policy']
    helpers.wait_for(api, '/v2/lbaas/l7policies/' + policy['id'],
                     'l7policy')
    rules = '/v2/lbaas/l7policies/%s/rules' % policy['id']
    rule = helpers.post(api, rules, 'rule', {
        'type': 'PATH', 'compare_type': 'STARTS_WITH',
        'value': '/api'})['rule']
    helpers.wait_for(api, rules + '/' + rule['id'], 'rule')
    helpers.wait_for(api, path, 'loadbalancer')

    tree = api.get(path + '/status').json['statuses']['loadbalancer']
    [tl] = tree['listeners']
    [tp] = tl['pools']
    assert tp['id'] == pool['id']
    assert sorted(m['address'] for m in tp['members']) == [
        '203.0.113.5', '203.0.113.6']
    assert tp['health_monitor']['id'] == hm['id']
    shown = api.get(path).json['loadbalancer']
    assert shown['listeners'] == [{'id': listener['id']}]
    assert shown['pools'] == [{'id': pool['id']}]
    assert api.get(path + '/stats').json['stats']['bytes_in'] == 0

    api.delete(path, status=400)   # it has children and no cascade
    api.delete(path + '?cascade=true', status=204)
    helpers.wait_gone(api, path)
    # A distributor is shared infrastructure: the worker may have made one
    # for this load balancer, and it outlives it. The flow's claim on the
    # load balancer goes a moment after the row, so wait for it.
    for table in ('distributor', 'distributor_health'):
        before.pop(table)
    deadline = time.monotonic() + 10
    while True:
        after = helpers.row_counts()
        for table in ('distributor', 'distributor_health'):
            after.pop(table)
        if after == before or time.monotonic() > deadline:
            break
        time.sleep(0.05)
    assert after == before


def test_updates_reach_active_with_new_values(api, worker):
    lb = helpers.active_lb(api)
    path = _lb_path(lb)
    api.put_json(path, {'loadbalancer': {'description': 'hello',
                                         'admin_state_up': False}})
    shown = helpers.wait_for(api, path, 'loadbalancer')
    assert (shown['description'], shown['admin_state_up']) == (
        'hello', False)
    listener = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'TCP',
        'protocol_port': 443})['listener']
    lpath = '/v2/lbaas/listeners/' + listener['id']
    helpers.wait_for(api, lpath, 'listener')
    api.put_json(lpath, {'listener': {'connection_limit': 100}})
    assert helpers.wait_for(api, lpath, 'listener')[
        'connection_limit'] == 100
    api.put_json(lpath, {'listener': {'protocol_port': 444}}, status=400)


def test_batch_member_update(api, worker):
    lb = helpers.active_lb(api)
    pool = helpers.post(api, '/v2/lbaas/pools', 'pool', {
        'loadbalancer_id': lb['id'], 'protocol': 'TCP',
        'lb_algorithm': 'LEAST_CONNECTIONS'})['pool']
    helpers.wait_for(api, '/v2/lbaas/pools/' + pool['id'], 'pool')
    members = '/v2/lbaas/pools/%s/members' % pool['id']
    helpers.post(api, members, 'member', {'address': '203.0.113.7',
                                          'protocol_port': 80})
    helpers.wait_for(api, _lb_path(lb), 'loadbalancer')
    api.put_json(members, {'members': [
        {'address': '203.0.113.8', 'protocol_port': 80, 'weight': 5},
        {'address': '203.0.113.9', 'protocol_port': 80}]}, status=202)
    helpers.wait_for(api, _lb_path(lb), 'loadbalancer')
    listed = api.get(members).json['members']
    assert sorted((m['address'], m['weight']) for m in listed) == [
        ('203.0.113.8', 5), ('203.0.113.9', 1)]
    assert all(m['provisioning_status'] == 'ACTIVE' for m in listed)


def test_failover_and_resize(api, worker):
    flavor = helpers.flavor(api, {'loadbalancer_topology': 'ACTIVE_ACTIVE',
                                  'cluster_desired_size': 2,
                                  'cluster_cooldown': 0})
    lb = helpers.active_lb(api, flavor_id=flavor['id'])
    path = _lb_path(lb)
    cluster = api.get('/v2/octavia/clusters?loadbalancer_id=%s'
                      % lb['id']).json['clusters'][0]
    api.put_json('/v2/octavia/clusters/' + cluster['id'],
                 {'cluster': {'desired_size': 4}})
    helpers.wait_for(api, path, 'loadbalancer')
    amps = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                   % lb['id']).json['amphorae']
    assert sorted(a['role'] for a in amps) == ['IN_CLUSTER'] * 4 + [
        'IN_CLUSTER_STANDBY']
    resp = api.put_json('/v2/octavia/clusters/' + cluster['id'],
                        {'cluster': {'min_size': 5}}, status=400)
    assert 'min_size' in resp.json['faultstring']

    victim = next(a for a in amps if a['role'] == 'IN_CLUSTER')
    api.put('/v2/octavia/amphorae/%s/failover' % victim['id'], status=202)
    helpers.wait_for(api, path, 'loadbalancer')
    after = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                    % lb['id']).json['amphorae']
    assert victim['id'] not in {a['id'] for a in after}
    assert len(after) == 5

    api.put(path + '/failover', status=202)
    helpers.wait_for(api, path, 'loadbalancer')
    assert len(api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                       % lb['id']).json['amphorae']) == 5


def test_resize_through_the_flavor_profile(api, worker):
    data = {'loadbalancer_topology': 'ACTIVE_ACTIVE',
            'cluster_desired_size': 2, 'cluster_cooldown': 0}
    flavor = helpers.flavor(api, data)
    profile = '/v2/lbaas/flavorprofiles/' + flavor['flavor_profile_id']
    lb = helpers.active_lb(api, flavor_id=flavor['id'])
    other = helpers.active_lb(api, name='other')     # default topology

    def amphorae(lb_id):
        return sorted(a['role'] for a in api.get(
            '/v2/octavia/amphorae?loadbalancer_id=%s' % lb_id).json[
                'amphorae'])
    assert amphorae(lb['id']) == ['IN_CLUSTER'] * 2 + ['IN_CLUSTER_STANDBY']
    before = amphorae(other['id'])

    # Only the sizes may change while a flavor uses the profile.
    resp = api.put_json(profile, {'flavorprofile': {'flavor_data': json.dumps(
        dict(data, distributor_affinity='SOURCE_IP'))}}, status=409)
    assert 'cluster_desired_size' in resp.json['faultstring']
    resp = api.put_json(profile, {'flavorprofile': {'flavor_data': json.dumps(
        dict(data, cluster_min_size=4))}}, status=400)
    assert 'cluster_min_size' in resp.json['faultstring']

    api.put_json(profile, {'flavorprofile': {'flavor_data': json.dumps(
        dict(data, cluster_desired_size=3, cluster_min_size=2))}})
    got = helpers.wait_for(api, _lb_path(lb), 'loadbalancer')
    assert got['provisioning_status'] == 'ACTIVE'
    assert amphorae(lb['id']) == ['IN_CLUSTER'] * 3 + ['IN_CLUSTER_STANDBY']
    cluster = api.get('/v2/octavia/clusters?loadbalancer_id=%s'
                      % lb['id']).json['clusters'][0]
    assert (cluster['desired_size'], cluster['min_size']) == (3, 2)
    assert amphorae(other['id']) == before      # not made from the flavor


def test_distributors_admin_resource(api, worker):
    dist = helpers.post(api, '/v2/octavia/distributors', 'distributor', {
        'name': 'd1', 'max_load_balancers': 10})['distributor']
    assert dist['status'] in ('PENDING_CREATE', 'ACTIVE')
    listed = api.get('/v2/octavia/distributors?name=d1').json
    assert [d['id'] for d in listed['distributors']] == [dist['id']]
    api.post_json('/v2/octavia/distributors', {'distributor': {
        'role': 'LEADER'}}, status=400)


def test_quota_is_enforced(api, worker):
    project = '00000000000000000000000000000001'
    api.put_json('/v2/lbaas/quotas/' + project,
                 {'quota': {'loadbalancer': 1}}, status=202)
    assert api.get('/v2/lbaas/quotas/' + project).json['quota'][
        'load_balancer'] == 1
    helpers.active_lb(api)
    resp = api.post_json(LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet'}}, status=403)
    assert 'Quota' in resp.json['faultstring']
    with db_api.session_scope() as session:
        assert session.scalar(sa.select(sa.func.count()).select_from(
            models.LoadBalancer)) == 1


def test_amphora_and_listener_actions(api, worker):
    lb = helpers.active_lb(api)
    amp = api.get('/v2/octavia/amphorae?loadbalancer_id=%s'
                  % lb['id']).json['amphorae'][0]
    base = '/v2/octavia/amphorae/' + amp['id']
    assert api.get(base + '/stats').json == {'amphora_stats': []}
    api.put(base + '/config', status=202)
    api.delete(base + '/stats', status=405)
    api.get(base + '/nonsense', status=404)
    listener = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'TCP',
        'protocol_port': 22})['listener']
    stats = api.get('/v2/lbaas/listeners/%s/stats'
                    % listener['id']).json['stats']
    assert stats['total_connections'] == 0
    api.put(_lb_path(lb) + '/status', status=405)


def test_cast_failure_unlocks_what_the_api_locked(api, worker, monkeypatch):
    """A child create whose cast cannot be sent: the child is ERROR with
    the reason, and the load balancer and the listeners the lock moved to
    PENDING_UPDATE are ACTIVE again (not left locked for good)."""
    from octavia_aa.common import rpc
    lb = helpers.active_lb(api)
    first = helpers.add_child(api, lb['id'], '/v2/lbaas/listeners',
                              'listener', {'loadbalancer_id': lb['id'],
                                           'protocol': 'TCP',
                                           'protocol_port': 80})

    def unreachable(*args, **kwargs):
        raise RuntimeError('no transport')
    monkeypatch.setattr(rpc, 'cast', unreachable)
    resp = api.post_json('/v2/lbaas/listeners', {'listener': {
        'loadbalancer_id': lb['id'], 'protocol': 'TCP',
        'protocol_port': 81}}, expect_errors=True)
    assert 'could not be reached' in resp.json['faultstring']
    monkeypatch.undo()
    with db_api.session_scope() as session:
        second = session.scalar(sa.select(models.Listener).where(
            models.Listener.protocol_port == 81))
        assert second.provisioning_status == 'ERROR'
        assert second.fault.startswith('The worker could not be reached')
        assert session.get(models.LoadBalancer,
                           lb['id']).provisioning_status == 'ACTIVE'
        assert session.get(models.Listener,
                           first['id']).provisioning_status == 'ACTIVE'
