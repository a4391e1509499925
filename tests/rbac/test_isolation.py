"""With real Keystone tokens: a user of project B can neither see nor
change anything of project A (403, as upstream, also for the members of
A's pool and the rules of A's policy), lists show each project its own,
and a global reader sees every project."""
from tests.functional.api import helpers
from tests.rbac import tree

LB = tree.LB
TOP = {'loadbalancers': LB, 'listeners': tree.LISTENERS,
       'pools': tree.POOLS, 'healthmonitors': tree.HMS,
       'l7policies': tree.L7POLICIES}


def _ids(client, path, plural):
    return {o['id'] for o in client.get(path).json[plural]}


def test_other_project_can_neither_see_nor_change(clients, worker, roles):
    owner = clients[roles['member_a']]
    a = tree.Tree(owner, clients['admin'])
    before = {path: owner.get(path).json[key]
              for path, key in a.paths.values()}
    a_ids = {o['id'] for o in before.values()}
    for user in roles['outsiders']:
        client = clients[user]
        requests = [('GET', path, None) for path in a.reads()]
        requests += list(tree.writes(a))
        requests += [('GET', '%s?project_id=%s' % (path, a.project), None)
                     for path in TOP.values()]
        requests.append(('POST', LB, {'loadbalancer': {
            'vip_subnet_id': 'public-subnet', 'project_id': a.project}}))
        assert tree.refused(client, requests) == [], user
        for plural, path in TOP.items():
            assert not _ids(client, path, plural) & a_ids, (user, plural)
        # A parent id is a filter on top-level lists, as upstream.
        assert client.get(tree.LISTENERS + '?loadbalancer_id=' + a.lb
                          ).json['listeners'] == []
        assert client.get(tree.POOLS + '?loadbalancer_id=' + a.lb
                          ).json['pools'] == []
    after = {path: owner.get(path).json[key]
             for path, key in a.paths.values()}
    assert after == before


def test_member_of_b_listing_a_pool_members_gets_403(clients, worker,
                                                     roles):
    a = tree.Tree(clients[roles['member_a']], clients['admin'])
    resp = clients[roles['member_b']].get(a.members, status=403)
    assert 'Policy does not allow' in resp.json['faultstring']
    listed = clients[roles['member_a']].get(a.members).json['members']
    assert [mb['id'] for mb in listed] == [a.member]


def test_each_project_lists_its_own(clients, roles):
    made = {}
    for who in ('member_a', 'member_b'):
        client = clients[roles[who]]
        made[who] = helpers.post(client, LB, 'loadbalancer', {
            'vip_subnet_id': 'public-subnet'})['loadbalancer']
    for who, lb in made.items():
        client = clients[roles[who]]
        assert _ids(client, LB, 'loadbalancers') == {lb['id']}
        # Naming one's own project is allowed.
        assert _ids(client, LB + '?project_id=' + lb['project_id'],
                    'loadbalancers') == {lb['id']}
    glob = clients[roles['global_reader']]
    assert _ids(glob, LB, 'loadbalancers') >= {
        lb['id'] for lb in made.values()}
    b = made['member_b']
    assert _ids(glob, LB + '?project_id=' + b['project_id'],
                'loadbalancers') == {b['id']}
    glob.get('%s/%s' % (LB, b['id']))


def test_octavia_roles_are_refused_under_new_defaults(clients):
    """Upstream's defaults: the load-balancer_* roles grant nothing unless
    the operator turns enforce_new_defaults off."""
    for user in ('a_lb_member', 'a_lb_observer', 'global_observer',
                 'lb_admin'):
        clients[user].get(LB, status=403)
    clients['lb_admin'].get('/v2/octavia/amphorae', status=403)
    clients['a_member'].get(LB, status=200)


def test_tokens_are_checked_by_keystone(keystone_app, clients):
    import webtest
    anonymous = webtest.TestApp(keystone_app)
    anonymous.get(LB, status=401)
    anonymous.get(LB, headers={'X-Auth-Token': 'not-a-token'}, status=401)
    # Version discovery stays public, as upstream.
    assert anonymous.get('/').json['versions']
    clients['a_reader'].get(LB, status=200)


def test_references_to_another_projects_objects(clients, worker):
    a = tree.Tree(clients['a_member'], clients['admin'])
    b = clients['b_member']
    lb = helpers.active_lb(b)
    listener = helpers.post(b, tree.LISTENERS, 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'protocol_port': 80})['listener']
    path = '%s/%s' % (tree.LISTENERS, listener['id'])
    helpers.wait_for(b, path, 'listener')
    # A's pool is not on B's load balancer: not found from there.
    b.put_json(path, {'listener': {'default_pool_id': a.pool}}, status=404)
    b.post_json(tree.L7POLICIES, {'l7policy': {
        'listener_id': listener['id'], 'action': 'REDIRECT_TO_POOL',
        'redirect_pool_id': a.pool}}, status=404)
    # A's listener as the parent of B's pool: refused as A's.
    b.post_json(tree.POOLS, {'pool': {
        'listener_id': a.listener, 'loadbalancer_id': lb['id'],
        'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'}}, status=403)
    assert clients['a_member'].get(a.paths['pool'][0]).json['pool'][
        'listeners'] == [{'id': a.listener}]


def test_service_role_lists_pool_members_only(clients, worker):
    """Upstream lets services (e.g. telemetry) list any pool's members."""
    a = tree.Tree(clients['a_member'], clients['admin'])
    service = clients['octavia']
    assert [mb['id'] for mb in service.get(a.members).json['members']] == [
        a.member]
    service.get('%s/%s' % (a.members, a.member), status=403)
    service.get('%s/%s' % (LB, a.lb), status=403)
    service.get(LB, status=403)


def test_system_scoped_tokens_are_refused(clients):
    """Every rule is for project-scoped tokens, as upstream."""
    system_admin = clients['admin_system']
    system_admin.get(LB, status=403)
    system_admin.get('/v2/octavia/amphorae', status=403)
    clients['admin'].get('/v2/octavia/amphorae', status=200)
