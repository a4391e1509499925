"""With the noop network driver any subnet or network id is accepted and
fabricated, as upstream's noop driver does; the netns driver keeps its
configured catalogue.  Nothing reports health with the noop drivers, so
a load balancer and its children stay OFFLINE, as upstream's."""
import uuid

from tests.functional.api import helpers

LB = helpers.LB


def _create(api, status=201, **body):
    return api.post_json(LB, {'loadbalancer': dict({'name': 'lb'}, **body)},
                         status=status).json


def test_any_subnet_id_is_fabricated(api, worker):
    subnet_id = str(uuid.uuid4())
    lb = _create(api, vip_subnet_id=subnet_id)['loadbalancer']
    assert lb['vip_subnet_id'] == subnet_id
    assert lb['vip_address'].startswith('198.51.100.')
    lb = helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    assert (lb['provisioning_status'], lb['operating_status']) == (
        'ACTIVE', 'OFFLINE')


def test_fabricated_cidr_comes_from_the_vip_address(api, worker):
    subnet_id = str(uuid.uuid4())
    lb = _create(api, vip_subnet_id=subnet_id,
                 vip_address='192.0.2.77')['loadbalancer']
    assert lb['vip_address'] == '192.0.2.77'
    helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    lb6 = _create(api, vip_subnet_id=str(uuid.uuid4()),
                  vip_address='fd00:1::5')['loadbalancer']
    assert lb6['vip_address'] == 'fd00:1::5'
    helpers.wait_for(api, '%s/%s' % (LB, lb6['id']), 'loadbalancer')
    # The same address twice on one subnet is still refused.
    res = _create(api, status=409, vip_subnet_id=subnet_id,
                  vip_address='192.0.2.77')
    assert '192.0.2.77' in res['faultstring']


def test_network_only_picks_a_subnet_of_it(api, worker):
    network_id = str(uuid.uuid4())
    lb = _create(api, vip_network_id=network_id)['loadbalancer']
    assert lb['vip_network_id'] == network_id
    assert lb['vip_subnet_id']
    helpers.wait_for(api, '%s/%s' % (LB, lb['id']), 'loadbalancer')
    # A declared network still resolves to its declared subnet.
    nets = api.get('/v2.0/networks?name=public').json['networks']
    lb = _create(api, vip_network_id=nets[0]['id'])['loadbalancer']
    public = api.get('/v2.0/subnets?name=public-subnet').json['subnets'][0]
    assert lb['vip_subnet_id'] == public['id']


def test_names_still_need_the_catalogue(api):
    res = _create(api, status=400, vip_subnet_id='no-such-subnet')
    assert 'vip_subnet_id' in res['faultstring']


def test_neutron_stub_answers_for_any_id(api):
    subnet_id = str(uuid.uuid4())
    found = api.get('/v2.0/subnets?id=%s' % subnet_id).json['subnets']
    assert [s['id'] for s in found] == [subnet_id]
    assert api.get('/v2.0/subnets/%s' % subnet_id).json['subnet'][
        'cidr'] == '198.51.100.0/24'
    network_id = str(uuid.uuid4())
    net = api.get('/v2.0/networks/%s' % network_id).json['network']
    assert net['id'] == network_id and len(net['subnets']) == 1


def test_members_on_any_subnet_and_children_offline(api, worker):
    lb = helpers.active_lb(api)
    path = '%s/%s' % (LB, lb['id'])
    lst = helpers.post(api, '/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'TCP',
        'protocol_port': 80})['listener']
    helpers.wait_for(api, path, 'loadbalancer')
    orphan = helpers.post(api, '/v2/lbaas/pools', 'pool', {
        'loadbalancer_id': lb['id'], 'protocol': 'TCP',
        'lb_algorithm': 'ROUND_ROBIN'})['pool']
    helpers.wait_for(api, path, 'loadbalancer')
    pool = helpers.post(api, '/v2/lbaas/pools', 'pool', {
        'listener_id': lst['id'], 'protocol': 'TCP',
        'lb_algorithm': 'ROUND_ROBIN'})['pool']
    helpers.wait_for(api, path, 'loadbalancer')
    subnet_id = str(uuid.uuid4())
    member = helpers.post(api, '/v2/lbaas/pools/%s/members' % pool['id'],
                          'member', {'address': '192.0.2.40',
                                     'protocol_port': 80,
                                     'subnet_id': subnet_id})['member']
    helpers.wait_for(api, path, 'loadbalancer')
    member = api.get('/v2/lbaas/pools/%s/members/%s' % (
        pool['id'], member['id'])).json['member']
    assert member['subnet_id'] == subnet_id
    tree = api.get('%s/status' % path).json['statuses']['loadbalancer']
    assert tree['operating_status'] == 'OFFLINE'
    listener = tree['listeners'][0]
    assert listener['operating_status'] == 'OFFLINE'
    assert listener['pools'][0]['operating_status'] == 'OFFLINE'
    assert listener['pools'][0]['members'][0]['operating_status'] == \
        'OFFLINE'
    assert api.get('/v2/lbaas/pools/%s' % orphan['id']).json['pool'][
        'operating_status'] == 'OFFLINE'


def test_netns_driver_keeps_its_catalogue(api, overrides):
    overrides('network_driver', 'network_netns_driver', 'controller_worker')
    res = _create(api, status=400, vip_subnet_id=str(uuid.uuid4()))
    assert 'not found' in res['faultstring']
    assert api.get('/v2.0/subnets/%s' % uuid.uuid4(),
                   expect_errors=True).status_int == 404
