"""Lists: filters on any field, sorting, pagination links, fields=."""
import urllib.parse

from tests.functional.api import helpers

LB = helpers.LB


def _make(api, names):
    return [helpers.post(api, LB, 'loadbalancer', {
        'name': n, 'vip_subnet_id': 'public-subnet',
        'tags': ['t-%s' % n, 'all']})['loadbalancer'] for n in names]


def test_filter_by_any_field(api):
    made = _make(api, ['a', 'b', 'c'])
    got = api.get(LB + '?name=b').json['loadbalancers']
    assert [lb['id'] for lb in got] == [made[1]['id']]
    got = api.get(LB + '?vip_address=%s' % made[2]['vip_address']).json
    assert [lb['name'] for lb in got['loadbalancers']] == ['c']
    got = api.get(LB + '?id=%s' % made[0]['id']).json['loadbalancers']
    assert [lb['name'] for lb in got] == ['a']
    got = api.get(LB + '?provisioning_status=ACTIVE').json
    assert got['loadbalancers'] == []
    got = api.get(LB + '?admin_state_up=true').json['loadbalancers']
    assert len(got) == 3
    got = api.get(LB + '?tags=t-a').json['loadbalancers']
    assert [lb['name'] for lb in got] == ['a']
    got = api.get(LB + '?not-tags=t-a').json['loadbalancers']
    assert sorted(lb['name'] for lb in got) == ['b', 'c']


def test_sort_and_fields(api):
    _make(api, ['b', 'c', 'a'])
    got = api.get(LB + '?sort=name:desc&fields=name&fields=id').json
    assert [lb['name'] for lb in got['loadbalancers']] == ['c', 'b', 'a']
    assert all(set(lb) == {'name', 'id'} for lb in got['loadbalancers'])
    got = api.get(LB + '?sort_key=name&sort_dir=asc').json
    assert [lb['name'] for lb in got['loadbalancers']] == ['a', 'b', 'c']


def test_pagination_walks_every_item_once(api):
    names = ['lb%02d' % i for i in range(7)]
    _make(api, names)
    seen = []
    url = LB + '?limit=3&sort=name:asc'
    pages = 0
    while url:
        body = api.get(url).json
        seen += [lb['name'] for lb in body['loadbalancers']]
        pages += 1
        nxt = [link['href'] for link in body['loadbalancers_links']
               if link['rel'] == 'next']
        url = urllib.parse.urlsplit(nxt[0])._replace(
            scheme='', netloc='').geturl() if nxt else None
    assert seen == names
    assert pages == 3
    # The previous link of the last page leads back to the middle one.
    last = api.get(LB + '?limit=3&sort=name:asc&marker=%s' % api.get(
        LB + '?name=lb05').json['loadbalancers'][0]['id']).json
    prev = [link for link in last['loadbalancers_links']
            if link['rel'] == 'previous']
    assert [lb['name'] for lb in last['loadbalancers']] == ['lb06']
    assert prev and 'page_reverse=True' in prev[0]['href']
    back = api.get(urllib.parse.urlsplit(prev[0]['href'])._replace(
        scheme='', netloc='').geturl()).json
    assert [lb['name'] for lb in back['loadbalancers']] == [
        'lb03', 'lb04', 'lb05']


def test_unknown_marker_is_404(api):
    api.get(LB + '?marker=11111111-2222-3333-4444-555555555555',
            status=404)


def test_version_discovery_and_neutron_names(api):
    versions = api.get('/').json['versions']
    assert versions[-1]['status'] == 'CURRENT'
    assert versions[0]['links'][0]['href'].endswith('/v2')
    assert api.get('/v2').json == 'v2'
    assert api.get('/v2.0').json == 'v2'
    subnets = api.get('/v2.0/subnets?name=public-subnet').json['subnets']
    assert [s['cidr'] for s in subnets] == ['198.51.100.0/24']
    same = api.get('/v2/subnets/%s' % subnets[0]['id']).json['subnet']
    assert same['name'] == 'public-subnet'
    nets = api.get('/v2.0/networks?id=%s'
                   % subnets[0]['network_id']).json['networks']
    assert nets[0]['subnets'] == [subnets[0]['id']]
    assert api.get('/v2.0/subnets?name=nope').json['subnets'] == []
    assert api.get('/healthcheck').status_int == 200


def test_filter_by_parent_ids(api, worker):
    """Upstream filters on its data models' attributes, parents' ids
    included: openstacksdk lists rules with ?l7policy_id=, and pools
    filter on healthmonitor_id (a join upstream)."""
    lb_id = helpers.active_lb(api)['id']

    def add(path, key, body):
        return helpers.add_child(api, lb_id, '/v2/lbaas/' + path, key, body)
    lst = add('listeners', 'listener', {
        'loadbalancer_id': lb_id, 'protocol': 'HTTP', 'protocol_port': 80})
    pools = [add('pools', 'pool', {
        'loadbalancer_id': lb_id, 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN'}) for _ in range(2)]
    hm = add('healthmonitors', 'healthmonitor', {
        'pool_id': pools[1]['id'], 'type': 'TCP', 'delay': 5, 'timeout': 3,
        'max_retries': 3})
    got = api.get('/v2/lbaas/pools?healthmonitor_id=%s' % hm['id']).json
    assert [p['id'] for p in got['pools']] == [pools[1]['id']]
    pol = add('l7policies', 'l7policy', {'listener_id': lst['id'],
                                         'action': 'REJECT'})
    rules = 'l7policies/%s/rules' % pol['id']
    rule = add(rules, 'rule', {'type': 'PATH', 'compare_type': 'EQUAL_TO',
                               'value': '/x'})
    rules = '/v2/lbaas/' + rules
    got = api.get(rules + '?l7policy_id=%s' % pol['id']).json['rules']
    assert [r['id'] for r in got] == [rule['id']]
    assert api.get('/v2/lbaas/l7policies?listener_id=%s' % lst['id']).json[
        'l7policies'][0]['id'] == pol['id']
    # Not an attribute of the object (the SDK's names for these): 400.
    for bad in ('/v2/lbaas/pools?listener_id=%s' % lst['id'],
                '/v2/lbaas/pools?health_monitor_id=%s' % hm['id'],
                rules + '?rule_value=/x'):
        assert api.get(bad, status=400).json['faultstring']
