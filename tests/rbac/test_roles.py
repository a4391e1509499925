"""With real Keystone tokens: readers and observers read and never write,
admin-only resources are admin-only, quotas follow upstream's
quota rules, and an admin can do everything."""
import json

from tests.functional.api import helpers
from tests.rbac import tree

LB = tree.LB
AMPHORAE = '/v2/octavia/amphorae'
CLUSTERS = '/v2/octavia/clusters'
DISTRIBUTORS = '/v2/octavia/distributors'
FLAVORS = '/v2/lbaas/flavors'
PROFILES = '/v2/lbaas/flavorprofiles'
QUOTAS = '/v2/lbaas/quotas'


def call_status(client, method, path, body=None):
    return tree.call(client, method, path, body, status='*').status_int


def test_readers_read_but_never_write(clients, worker, roles):
    owner = clients[roles['member_a']]
    a = tree.Tree(owner, clients['admin'])
    before = {path: owner.get(path).json[key]
              for path, key in a.paths.values()}
    for user in roles['readers_a']:
        client = clients[user]
        for path in a.reads():
            assert client.get(path, status='*').status_int == 200, (
                user, path)
        assert client.get(a.members).json['members'][0]['id'] == a.member
        assert a.lb in {lb['id'] for lb in client.get(LB).json[
            'loadbalancers']}
        writes = list(tree.writes(a)) + [('POST', LB, {'loadbalancer': {
            'vip_subnet_id': 'public-subnet', 'project_id': a.project}})]
        assert tree.refused(client, writes) == [], user
    assert {path: owner.get(path).json[key]
            for path, key in a.paths.values()} == before


def _admin_only(a, profile, flavor, distributor):
    amp = '%s/%s' % (AMPHORAE, a.amphorae[0])
    dist = '%s/%s' % (DISTRIBUTORS, distributor)
    cluster = '%s/%s' % (CLUSTERS, a.clusters[0])
    prof = '%s/%s' % (PROFILES, profile)
    # Even the owner's member may not fail a load balancer over.
    yield 'PUT', '%s/%s/failover' % (LB, a.lb), None
    yield 'GET', AMPHORAE, None
    yield 'GET', amp, None
    yield 'GET', amp + '/stats', None
    yield 'PUT', amp + '/config', None
    yield 'PUT', amp + '/failover', None
    yield 'DELETE', amp, None
    yield 'GET', CLUSTERS, None
    yield 'GET', cluster, None
    yield 'PUT', cluster, {'cluster': {'desired_size': 3}}
    yield 'GET', DISTRIBUTORS, None
    yield 'POST', DISTRIBUTORS, {'distributor': {'name': 'd'}}
    yield 'GET', dist, None
    yield 'PUT', dist, {'distributor': {'name': 'e'}}
    yield 'DELETE', dist, None
    yield 'GET', PROFILES, None
    yield 'GET', prof, None
    yield 'POST', PROFILES, {'flavorprofile': {
        'name': 'p', 'provider_name': 'amphora', 'flavor_data': '{}'}}
    yield 'PUT', prof, {'flavorprofile': {'name': 'q'}}
    yield 'DELETE', prof, None
    yield 'POST', FLAVORS, {'flavor': {'name': 'f',
                                       'flavor_profile_id': profile}}
    yield 'PUT', '%s/%s' % (FLAVORS, flavor), {'flavor': {'name': 'g'}}
    yield 'DELETE', '%s/%s' % (FLAVORS, flavor), None
    yield 'GET', '/v2/lbaas/providers/amphora/flavor_capabilities', None


def test_admin_resources_are_admin_only(clients, worker, roles):
    a = tree.Tree(clients[roles['member_a']], clients['admin'])
    assert a.amphorae and a.clusters
    flavor = helpers.flavor(clients['admin'], {
        'loadbalancer_topology': 'ACTIVE_ACTIVE'}, name='rbac')
    profile = flavor['flavor_profile_id']
    distributor = helpers.post(clients['admin'], DISTRIBUTORS, 'distributor',
                               {'name': 'rbac'})['distributor']['id']
    users = {roles['member_a'], roles['member_b'], *roles['readers_a'],
             *roles['outsiders']}
    for user in sorted(users):
        client = clients[user]
        assert tree.refused(client, _admin_only(
            a, profile, flavor['id'], distributor)) == [], user
        # Flavors and providers are for everyone to choose from.
        assert flavor['id'] in {fl['id'] for fl in client.get(
            FLAVORS).json['flavors']}
        client.get('%s/%s' % (FLAVORS, flavor['id']))
        assert 'amphora' in {p['name'] for p in client.get(
            '/v2/lbaas/providers').json['providers']}
    admin = clients[roles['admin']]
    allowed = [(method, path) for method, path, _ in _admin_only(
        a, profile, flavor['id'], distributor) if method == 'GET']
    for method, path in allowed:
        assert call_status(admin, method, path) == 200, path


def test_quotas_as_upstream(clients, keystone_cloud, roles):
    a = keystone_cloud.projects['A']
    b = keystone_cloud.projects['B']
    member = clients[roles['member_a']]
    assert member.get('%s/%s' % (QUOTAS, a)).json['quota']['project_id'] \
        == a
    member.get('%s/%s/default' % (QUOTAS, a))
    reads = [('GET', '%s/%s' % (QUOTAS, b), None),
             ('GET', '%s/%s/default' % (QUOTAS, b), None),
             ('GET', '%s?project_id=%s' % (QUOTAS, b), None),
             # As upstream, where 'defaults' is read as a project id.
             ('GET', QUOTAS + '/defaults', None)]
    writes = [('PUT', '%s/%s' % (QUOTAS, a), {'quota': {
                  'load_balancer': 5}}),
              ('DELETE', '%s/%s' % (QUOTAS, a), None)]
    for user in (roles['member_a'], *roles['readers_a']):
        wanted = writes if user == roles['global_reader'] else reads + writes
        assert tree.refused(clients[user], wanted) == [], user
    writers = [roles['admin']] + (['quota_admin'] if roles['admin'] ==
                                  'lb_admin' else [])
    for user in writers:
        client = clients[user]
        client.put_json('%s/%s' % (QUOTAS, a), {'quota': {
            'load_balancer': 5}}, status=202)
        assert {q['project_id'] for q in client.get(QUOTAS).json[
            'quotas']} == {a}
        assert client.get(QUOTAS + '/defaults').json['quota']
        client.delete('%s/%s' % (QUOTAS, a), status=202)
    # A member's list holds its own project's quota only.
    clients[roles['admin']].put_json('%s/%s' % (QUOTAS, b), {'quota': {
        'pool': 3}}, status=202)
    assert member.get(QUOTAS).json['quotas'] == []
    assert [q['project_id'] for q in clients[roles['member_b']].get(
        QUOTAS).json['quotas']] == [b]
    if 'quota_admin' in writers:
        # A quota admin is no load-balancer admin.
        lb = helpers.post(member, LB, 'loadbalancer', {
            'vip_subnet_id': 'public-subnet'})['loadbalancer']
        clients['quota_admin'].get('%s/%s' % (LB, lb['id']), status=403)


def test_admin_does_everything(clients, worker, roles):
    admin = clients[roles['admin']]
    a = tree.Tree(clients[roles['member_a']], clients['admin'])
    for path in a.reads():
        admin.get(path)
    lb_path = '%s/%s' % (LB, a.lb)
    for path, body in a.updates():
        key = next(iter(body))
        assert admin.put_json(path, body).json[key]['provisioning_status'] \
            == 'PENDING_UPDATE'
        helpers.wait_for(admin, path, key)
        helpers.wait_for(admin, lb_path, 'loadbalancer')
    assert admin.get(a.paths['listener'][0]).json['listener']['name'] == \
        'changed'
    # A child the admin makes under A's load balancer is A's.
    listener = helpers.post(admin, tree.LISTENERS, 'listener', {
        'loadbalancer_id': a.lb, 'protocol': 'HTTP',
        'protocol_port': 81})['listener']
    assert listener['project_id'] == a.project
    helpers.wait_for(admin, lb_path, 'loadbalancer')
    admin.delete('%s/%s' % (tree.LISTENERS, listener['id']), status=204)
    helpers.wait_for(admin, lb_path, 'loadbalancer')
    admin.put('%s/%s/config' % (AMPHORAE, a.amphorae[0]), status=202)
    admin.put(lb_path + '/failover', status=202)
    helpers.wait_for(admin, lb_path, 'loadbalancer')
    profile = helpers.post(admin, PROFILES, 'flavorprofile', {
        'name': 'p', 'provider_name': 'amphora',
        'flavor_data': json.dumps({'loadbalancer_topology': 'SINGLE'})})[
        'flavorprofile']
    flavor = helpers.post(admin, FLAVORS, 'flavor', {
        'name': 'f', 'flavor_profile_id': profile['id']})['flavor']
    admin.put_json('%s/%s' % (FLAVORS, flavor['id']),
                   {'flavor': {'name': 'g'}})
    admin.delete('%s/%s' % (FLAVORS, flavor['id']), status=204)
    admin.delete('%s/%s' % (PROFILES, profile['id']), status=204)
    # Delete the whole tree, children first.
    for path, key in reversed(list(a.paths.values())):
        admin.delete(path, status=204)
        if key != 'loadbalancer':
            helpers.wait_for(admin, lb_path, 'loadbalancer')
    helpers.wait_gone(admin, lb_path)


AZP = '/v2/lbaas/availabilityzoneprofiles'
AZ = '/v2/lbaas/availabilityzones'


def test_availability_zones_as_upstream(clients, roles):
    admin = clients[roles['admin']]
    profile = helpers.post(admin, AZP, 'availability_zone_profile', {
        'name': 'azp', 'provider_name': 'amphora',
        'availability_zone_data': json.dumps({'compute_zone': 'nova-1'})})[
        'availability_zone_profile']
    zone = helpers.post(admin, AZ, 'availability_zone', {
        'name': 'az1', 'availability_zone_profile_id': profile['id']})[
        'availability_zone']
    prof = '%s/%s' % (AZP, profile['id'])
    one = '%s/%s' % (AZ, zone['name'])
    caps = '/v2/lbaas/providers/amphora/availability_zone_capabilities'
    admin_only = [
        ('GET', AZP, None), ('GET', prof, None),
        ('POST', AZP, {'availability_zone_profile': {
            'name': 'p2', 'provider_name': 'amphora',
            'availability_zone_data': '{}'}}),
        ('PUT', prof, {'availability_zone_profile': {'name': 'x'}}),
        ('DELETE', prof, None),
        ('POST', AZ, {'availability_zone': {
            'name': 'az2', 'availability_zone_profile_id': profile['id']}}),
        ('PUT', one, {'availability_zone': {'description': 'x'}}),
        ('DELETE', one, None),
        ('GET', caps, None)]
    users = {roles['member_a'], *roles['readers_a'], *roles['outsiders']}
    for user in sorted(users):
        client = clients[user]
        assert tree.refused(client, admin_only) == [], user
        # Zones are for everyone to choose from, as flavors.
        assert [z['name'] for z in client.get(AZ).json[
            'availability_zones']] == ['az1']
        client.get(one)
    admin.get(caps)
    admin.delete(one, status=204)
    admin.delete(prof, status=204)
