"""openstacksdk's load-balancer proxy (conn.load_balancer) drives
octavia-aa-all with the noop drivers, without Keystone: auth type none,
the load-balancer and network endpoints both overridden to the service
(the SDK resolves nothing through Neutron itself, but a tool built on it
may, and /v2.0/subnets answers there)."""
import uuid

from openstack import connection
from openstack import exceptions
import pytest

SUBNET = str(uuid.uuid4())
MEMBER_SUBNET = str(uuid.uuid4())
FAST = {'interval': 0.3, 'wait': 60}


@pytest.fixture(scope='module')
def sdk(service):
    url = str(service)   # a plain str: the SDK deep-copies its config
    conn = connection.Connection(
        auth_type='none', auth={'endpoint': url},
        load_balancer_endpoint_override=url, network_endpoint_override=url)
    yield conn.load_balancer
    conn.close()


def settle(lbp, lb_id):
    """A child's create/update/delete moves its load balancer through
    PENDING_UPDATE; the next call on the tree needs it ACTIVE again."""
    return lbp.wait_for_load_balancer(lb_id, **FAST)


@pytest.fixture(scope='module')
def lb(sdk):
    made = sdk.create_load_balancer(name='sdk-lb', vip_subnet_id=SUBNET,
                                    description='made by openstacksdk')
    yield settle(sdk, made.id)
    sdk.delete_load_balancer(made.id, cascade=True)


def test_load_balancer_calls(sdk, lb):
    assert lb.provisioning_status == 'ACTIVE'
    # Nothing reports health with the noop drivers (as upstream's).
    assert lb.operating_status == 'OFFLINE'
    assert lb.vip_subnet_id == SUBNET
    assert lb.vip_network_id and lb.vip_port_id and lb.vip_address
    assert lb.is_admin_state_up is True
    assert lb.description == 'made by openstacksdk'

    got = sdk.get_load_balancer(lb.id)
    assert (got.name, got.vip_address) == ('sdk-lb', lb.vip_address)
    assert sdk.wait_for_load_balancer('sdk-lb', **FAST).id == lb.id
    assert sdk.find_load_balancer('sdk-lb').id == lb.id
    assert sdk.find_load_balancer(lb.id).id == lb.id
    assert sdk.find_load_balancer('no-such-lb') is None
    with pytest.raises(exceptions.NotFoundException):
        sdk.find_load_balancer('no-such-lb', ignore_missing=False)

    other = sdk.create_load_balancer(name='sdk-lb2', vip_subnet_id=SUBNET,
                                     admin_state_up=False,
                                     tags=['blue', 'sdk'])
    assert other.is_admin_state_up is False
    assert sorted(other.tags) == ['blue', 'sdk']
    settle(sdk, other.id)

    def names(**query):
        return sorted(x.name for x in sdk.load_balancers(**query))
    assert names() == ['sdk-lb', 'sdk-lb2']
    assert names(name='sdk-lb2') == ['sdk-lb2']
    assert names(vip_subnet_id=SUBNET) == ['sdk-lb', 'sdk-lb2']
    assert names(vip_address=lb.vip_address) == ['sdk-lb']
    assert names(is_admin_state_up=False) == ['sdk-lb2']
    assert names(provisioning_status='ACTIVE') == ['sdk-lb', 'sdk-lb2']
    assert names(tags='blue') == ['sdk-lb2']
    assert names(not_tags='blue') == ['sdk-lb']
    assert names(limit=1) == ['sdk-lb', 'sdk-lb2']   # follows next links

    updated = sdk.update_load_balancer(other.id, description='renamed',
                                       name='sdk-lb3', admin_state_up=True)
    assert updated.provisioning_status == 'PENDING_UPDATE'
    done = settle(sdk, other.id)
    assert (done.name, done.description, done.is_admin_state_up) == (
        'sdk-lb3', 'renamed', True)

    stats = sdk.get_load_balancer_statistics(lb.id)
    assert stats.total_connections == 0 and stats.bytes_in == 0

    sdk.failover_load_balancer(other.id)
    assert sdk.get_load_balancer(other.id).provisioning_status in (
        'PENDING_UPDATE', 'ACTIVE')
    assert settle(sdk, other.id).provisioning_status == 'ACTIVE'

    sdk.delete_load_balancer(other.id)
    sdk.wait_for_delete(sdk.get_load_balancer(other.id), **FAST)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_load_balancer(other.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.delete_load_balancer(other.id, ignore_missing=False)
    sdk.delete_load_balancer(other.id)   # ignore_missing by default
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_load_balancer_statistics(other.id)


def test_listener_calls(sdk, lb):
    web = sdk.create_listener(name='web', load_balancer_id=lb.id,
                              protocol='HTTP', protocol_port=80,
                              connection_limit=1000,
                              timeout_client_data=20000,
                              insert_headers={'X-Forwarded-For': 'true'},
                              allowed_cidrs=['198.51.100.0/24'],
                              tags=['front'])
    assert web.load_balancer_id == lb.id
    assert web.load_balancers == [{'id': lb.id}]
    assert (web.protocol, web.protocol_port, web.connection_limit) == (
        'HTTP', 80, 1000)
    assert web.insert_headers == {'X-Forwarded-For': 'true'}
    assert web.allowed_cidrs == ['198.51.100.0/24']
    settle(sdk, lb.id)
    tcp = sdk.create_listener(name='tcp', loadbalancer_id=lb.id,
                              protocol='TCP', protocol_port=8443)
    tcp = sdk.wait_for_status(tcp, 'ACTIVE', attribute='provisioning_status',
                              **FAST)
    assert tcp.operating_status == 'OFFLINE'    # nothing reports health
    settle(sdk, lb.id)

    got = sdk.get_listener(web.id)
    assert got.provisioning_status == 'ACTIVE'
    assert got.timeout_client_data == 20000
    assert got.timeout_member_connect == 5000    # default
    assert sdk.find_listener('tcp').id == tcp.id
    assert sdk.find_listener('nope') is None

    def names(**query):
        return sorted(x.name for x in sdk.listeners(**query))
    # The SDK sends load_balancer_id=, upstream's attribute name.
    assert names(load_balancer_id=lb.id) == ['tcp', 'web']
    assert names(protocol='TCP') == ['tcp']
    assert names(protocol_port=80) == ['web']
    assert names(tags='front') == ['web']
    assert names(is_admin_state_up=True, load_balancer_id=lb.id) == [
        'tcp', 'web']
    assert names(is_hsts_include_subdomains=False,
                 load_balancer_id=lb.id) == ['tcp', 'web']
    assert names(load_balancer_id=str(uuid.uuid4())) == []

    sdk.update_listener(web.id, connection_limit=5, description='front door',
                        timeout_client_data=None)
    settle(sdk, lb.id)
    got = sdk.get_listener(web.id)
    assert (got.connection_limit, got.description) == (5, 'front door')
    assert got.timeout_client_data == 50000     # null: back to default

    stats = sdk.get_listener_statistics(web.id)
    assert stats.active_connections == 0 and stats.request_errors == 0

    sdk.delete_listener(tcp.id)
    settle(sdk, lb.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_listener(tcp.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.delete_listener(tcp.id, ignore_missing=False)
    assert names(load_balancer_id=lb.id) == ['web']
    assert [x['id'] for x in sdk.get_load_balancer(lb.id).listeners] == [
        web.id]


def _listener(sdk, lb, name, port):
    found = sdk.find_listener(name)
    if found:
        return found
    made = sdk.create_listener(name=name, load_balancer_id=lb.id,
                               protocol='HTTP', protocol_port=port)
    settle(sdk, lb.id)
    return made


def test_pool_member_health_monitor_calls(sdk, lb):
    listener = _listener(sdk, lb, 'pools-front', 8080)
    pool = sdk.create_pool(name='p1', listener_id=listener.id,
                           protocol='HTTP', lb_algorithm='ROUND_ROBIN',
                           session_persistence={'type': 'HTTP_COOKIE'},
                           description='first')
    assert pool.listeners == [{'id': listener.id}]
    assert pool.loadbalancers == [{'id': lb.id}]
    assert pool.session_persistence['type'] == 'HTTP_COOKIE'
    settle(sdk, lb.id)
    spare = sdk.create_pool(name='p2', loadbalancer_id=lb.id,
                            protocol='HTTP', lb_algorithm='LEAST_CONNECTIONS')
    settle(sdk, lb.id)
    # A pool without a listener serves nothing: OFFLINE (upstream).
    assert sdk.get_pool(spare.id).operating_status == 'OFFLINE'

    def pools(**query):
        return sorted(x.name for x in sdk.pools(**query))
    assert pools(loadbalancer_id=lb.id) == ['p1', 'p2']
    assert pools(lb_algorithm='LEAST_CONNECTIONS') == ['p2']
    # Upstream filters on the pool's own columns only; listener_id (which
    # the SDK offers) is not one: 400, as upstream.
    with pytest.raises(exceptions.BadRequestException):
        pools(listener_id=listener.id)
    assert sdk.find_pool('p1').id == pool.id
    sdk.update_pool(pool.id, lb_algorithm='SOURCE_IP', description='')
    settle(sdk, lb.id)
    got = sdk.get_pool(pool.id)
    assert (got.lb_algorithm, got.description) == ('SOURCE_IP', '')

    m1 = sdk.create_member(pool.id, name='m1', address='203.0.113.10',
                           protocol_port=8080, subnet_id=MEMBER_SUBNET,
                           weight=5, monitor_port=9000)
    assert (m1.address, m1.protocol_port, m1.weight, m1.monitor_port) == (
        '203.0.113.10', 8080, 5, 9000)
    assert m1.subnet_id == MEMBER_SUBNET
    settle(sdk, lb.id)
    m2 = sdk.create_member(pool, name='m2', address='203.0.113.11',
                           protocol_port=8080, backup=True)
    settle(sdk, lb.id)
    got = sdk.get_member(m2.id, pool.id)
    assert got.backup is True and got.weight == 1
    assert sdk.find_member('m1', pool.id).id == m1.id
    assert sdk.find_member('m1', spare.id) is None

    def members(**query):
        return sorted(x.name for x in sdk.members(pool.id, **query))
    assert members() == ['m1', 'm2']
    assert members(address='203.0.113.11') == ['m2']
    assert members(weight=5) == ['m1']
    assert members(backup=True) == ['m2']
    assert members(subnet_id=MEMBER_SUBNET) == ['m1']
    assert members(monitor_port=9000, protocol_port=8080) == ['m1']
    sdk.update_member(m1, pool.id, weight=None, admin_state_up=False)
    settle(sdk, lb.id)
    got = sdk.get_member(m1.id, pool.id)
    assert (got.weight, got.is_admin_state_up) == (1, False)

    hm = sdk.create_health_monitor(pool_id=pool.id, name='hm1', type='HTTP',
                                   delay=5, timeout=3, max_retries=3,
                                   max_retries_down=2, http_method='GET',
                                   url_path='/healthz', expected_codes='200')
    assert hm.pools == [{'id': pool.id}]
    assert (hm.delay, hm.timeout, hm.url_path) == (5, 3, '/healthz')
    settle(sdk, lb.id)
    assert sdk.get_pool(pool.id).health_monitor_id == hm.id
    # The API filters pools on healthmonitor_id (upstream joins the
    # monitor); the SDK sends its attribute name health_monitor_id, which
    # upstream refuses too.
    found = sdk.get('/lbaas/pools', params={'healthmonitor_id': hm.id})
    assert [p['id'] for p in found.json()['pools']] == [pool.id]
    with pytest.raises(exceptions.BadRequestException):
        pools(health_monitor_id=hm.id)
    assert sdk.find_health_monitor('hm1').id == hm.id
    assert [x.id for x in sdk.health_monitors(pool_id=pool.id)] == [hm.id]
    assert [x.id for x in sdk.health_monitors(type='TCP')] == []
    assert [x.id for x in sdk.health_monitors(delay=5)] == [hm.id]
    sdk.update_health_monitor(hm.id, delay=10, max_retries_down=None,
                              url_path='/ready')
    settle(sdk, lb.id)
    got = sdk.get_health_monitor(hm.id)
    assert (got.delay, got.max_retries_down, got.url_path) == (
        10, 3, '/ready')

    sdk.delete_health_monitor(hm.id)
    settle(sdk, lb.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_health_monitor(hm.id)
    sdk.delete_member(m2.id, pool.id)
    settle(sdk, lb.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_member(m2.id, pool.id)
    assert members() == ['m1']
    with pytest.raises(exceptions.NotFoundException):
        sdk.delete_member(m2.id, pool.id, ignore_missing=False)
    sdk.delete_pool(spare.id)
    settle(sdk, lb.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_pool(spare.id)
    assert pools(loadbalancer_id=lb.id) == ['p1']


def test_l7_policy_and_rule_calls(sdk, lb):
    listener = _listener(sdk, lb, 'l7-front', 8081)
    pool = sdk.create_pool(name='l7-pool', loadbalancer_id=lb.id,
                           protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    settle(sdk, lb.id)
    redirect = sdk.create_l7_policy(
        listener_id=listener.id, name='to-pool', action='REDIRECT_TO_POOL',
        redirect_pool_id=pool.id, position=1)
    assert (redirect.action, redirect.redirect_pool_id) == (
        'REDIRECT_TO_POOL', pool.id)
    settle(sdk, lb.id)
    reject = sdk.create_l7_policy(listener_id=listener.id, name='deny',
                                  action='REJECT', position=1)
    settle(sdk, lb.id)
    # The new position 1 pushes the first policy down, as upstream.
    assert sdk.get_l7_policy(redirect.id).position == 2
    # A move renumbers the others; past the end means last (upstream).
    sdk.update_l7_policy(redirect.id, position=1)
    settle(sdk, lb.id)
    assert [(p.name, p.position) for p in sdk.l7_policies(
        listener_id=listener.id)] == [('to-pool', 1), ('deny', 2)]
    sdk.update_l7_policy(redirect.id, position=9)
    settle(sdk, lb.id)
    assert sdk.get_l7_policy(redirect.id).position == 2
    assert sdk.get_l7_policy(reject.id).position == 1
    sdk.update_l7_policy(redirect.id, position=None, name='to-pool')
    settle(sdk, lb.id)
    assert sdk.get_l7_policy(redirect.id).position == 2
    assert sdk.find_l7_policy('deny').id == reject.id

    def policies(**query):
        return sorted(x.name for x in sdk.l7_policies(**query))
    assert policies(listener_id=listener.id) == ['deny', 'to-pool']
    assert policies(action='REJECT') == ['deny']
    assert policies(redirect_pool_id=pool.id) == ['to-pool']
    sdk.update_l7_policy(reject.id, action='REDIRECT_TO_URL',
                         redirect_url='https://example.org/moved')
    settle(sdk, lb.id)
    got = sdk.get_l7_policy(reject.id)
    assert (got.action, got.redirect_url) == (
        'REDIRECT_TO_URL', 'https://example.org/moved')

    rule = sdk.create_l7_rule(redirect.id, type='PATH',
                              compare_type='STARTS_WITH', rule_value='/api')
    assert (rule.type, rule.compare_type, rule.rule_value) == (
        'PATH', 'STARTS_WITH', '/api')
    assert rule.invert is False
    settle(sdk, lb.id)
    header = sdk.create_l7_rule(redirect, type='HEADER', key='X-Env',
                                compare_type='EQUAL_TO', rule_value='blue',
                                invert=True)
    settle(sdk, lb.id)
    got = sdk.get_l7_rule(header.id, redirect.id)
    assert (got.key, got.rule_value, got.invert) == ('X-Env', 'blue', True)
    assert sdk.find_l7_rule(rule.id, redirect.id).id == rule.id
    assert sorted(r['id'] for r in sdk.get_l7_policy(redirect.id).rules) \
        == sorted([rule.id, header.id])

    def rules(**query):
        return sorted(x.id for x in sdk.l7_rules(redirect.id, **query))
    assert rules() == sorted([rule.id, header.id])
    assert rules(type='HEADER') == [header.id]
    assert rules(compare_type='STARTS_WITH') == [rule.id]
    # The SDK sends rule_value= (its attribute name) for `value`: not a
    # field of the rule, so a 400 as upstream.
    with pytest.raises(exceptions.BadRequestException):
        rules(rule_value='/api')
    assert rules(invert=True) == [header.id]
    sdk.update_l7_rule(header.id, redirect.id, invert=None,
                       rule_value='green')
    settle(sdk, lb.id)
    got = sdk.get_l7_rule(header.id, redirect.id)
    assert (got.rule_value, got.invert) == ('green', False)

    sdk.delete_l7_rule(header.id, redirect.id)
    settle(sdk, lb.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_l7_rule(header.id, redirect.id)
    sdk.delete_l7_policy(reject.id)
    settle(sdk, lb.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_l7_policy(reject.id)
    assert sdk.get_l7_policy(redirect.id).position == 1
    with pytest.raises(exceptions.NotFoundException):
        sdk.delete_l7_policy(reject.id, ignore_missing=False)


def test_quota_calls(sdk):
    project = uuid.uuid4().hex
    defaults = sdk.get_quota_default()
    assert defaults.load_balancers == -1 and defaults.members == -1
    assert sdk.get_quota(project).load_balancers == -1   # never set
    sdk.update_quota(project, load_balancers=5, listeners=10, pools=20,
                     health_monitors=20, members=100)
    got = sdk.get_quota(project)
    assert (got.load_balancers, got.listeners, got.pools,
            got.health_monitors, got.members) == (5, 10, 20, 20, 100)
    assert got.project_id == project
    listed = {q.project_id: q for q in sdk.quotas()}
    assert listed[project].members == 100
    assert [q.project_id for q in sdk.quotas(project_id=project)] == [
        project]
    sdk.update_quota(project, members=None)   # null: back to the default
    assert sdk.get_quota(project).members == -1
    assert sdk.get_quota(project).load_balancers == 5
    sdk.delete_quota(project)
    assert sdk.get_quota(project).load_balancers == -1
    never_set = uuid.uuid4().hex
    with pytest.raises(exceptions.NotFoundException):
        sdk.delete_quota(never_set, ignore_missing=False)
    sdk.delete_quota(never_set)


def test_provider_calls(sdk):
    providers = {p.name: p.description for p in sdk.providers()}
    assert 'amphora' in providers and providers['amphora']
    assert [p.name for p in sdk.providers(name='amphora')] == ['amphora']
    caps = {c.name for c in sdk.provider_flavor_capabilities('amphora')}
    assert {'loadbalancer_topology', 'compute_flavor'} <= caps
    assert [c.name for c in sdk.provider_flavor_capabilities(
        'amphora', name='compute_flavor')] == ['compute_flavor']
    with pytest.raises(exceptions.SDKException):
        list(sdk.provider_flavor_capabilities('no-such-provider'))


def test_flavor_profile_and_flavor_calls(sdk):
    data = ('{"loadbalancer_topology": "ACTIVE_ACTIVE", '
            '"cluster_desired_size": 2, "cluster_min_size": 1}')
    fp = sdk.create_flavor_profile(name='sdk-fp', provider_name='amphora',
                                   flavor_data=data)
    assert (fp.provider_name, fp.flavor_data) == ('amphora', data)
    assert sdk.get_flavor_profile(fp.id).name == 'sdk-fp'
    assert sdk.find_flavor_profile('sdk-fp').id == fp.id
    assert [x.id for x in sdk.flavor_profiles(name='sdk-fp')] == [fp.id]
    assert fp.id in [x.id for x in sdk.flavor_profiles(
        provider_name='amphora')]
    sdk.update_flavor_profile(fp.id, name='sdk-fp2')
    assert sdk.get_flavor_profile(fp.id).name == 'sdk-fp2'

    flavor = sdk.create_flavor(name='sdk-gold', flavor_profile_id=fp.id,
                               description='two amphorae', is_enabled=True)
    assert (flavor.flavor_profile_id, flavor.is_enabled) == (fp.id, True)
    assert sdk.get_flavor(flavor.id).description == 'two amphorae'
    assert sdk.find_flavor('sdk-gold').id == flavor.id
    assert [x.id for x in sdk.flavors(is_enabled=True,
                                      name='sdk-gold')] == [flavor.id]
    assert [x.id for x in sdk.flavors(flavor_profile_id=fp.id)] == [
        flavor.id]

    lb = sdk.create_load_balancer(name='sdk-flavored', vip_subnet_id=SUBNET,
                                  flavor_id=flavor.id)
    assert lb.flavor_id == flavor.id
    settle(sdk, lb.id)
    amps = list(sdk.amphorae(loadbalancer_id=lb.id))
    assert sorted(a.role for a in amps) == ['IN_CLUSTER'] * 2 + [
        'IN_CLUSTER_STANDBY']
    # In use: neither goes while a load balancer has the flavor.
    with pytest.raises(exceptions.ConflictException):
        sdk.delete_flavor(flavor.id)
    sdk.delete_load_balancer(lb.id)
    sdk.wait_for_delete(lb, **FAST)

    sdk.update_flavor(flavor.id, is_enabled=False, description='off')
    got = sdk.get_flavor(flavor.id)
    assert (got.is_enabled, got.description) == (False, 'off')
    assert [x.id for x in sdk.flavors(is_enabled=False)] == [flavor.id]
    with pytest.raises(exceptions.BadRequestException):
        sdk.create_load_balancer(vip_subnet_id=SUBNET, flavor_id=flavor.id)
    with pytest.raises(exceptions.ConflictException):
        sdk.delete_flavor_profile(fp.id)   # its flavor still uses it
    sdk.delete_flavor(flavor.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_flavor(flavor.id)
    sdk.delete_flavor_profile(fp.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_flavor_profile(fp.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.delete_flavor_profile(fp.id, ignore_missing=False)


def test_availability_zone_calls(sdk):
    azp = sdk.create_availability_zone_profile(
        name='sdk-azp', provider_name='amphora',
        availability_zone_data='{"compute_zone": "zone-a"}')
    assert azp.availability_zone_data == '{"compute_zone": "zone-a"}'
    assert sdk.get_availability_zone_profile(azp.id).name == 'sdk-azp'
    assert sdk.find_availability_zone_profile('sdk-azp').id == azp.id
    assert [x.id for x in sdk.availability_zone_profiles(
        provider_name='amphora', name='sdk-azp')] == [azp.id]
    sdk.update_availability_zone_profile(
        azp.id, availability_zone_data='{"compute_zone": "zone-b"}')
    assert sdk.get_availability_zone_profile(
        azp.id).availability_zone_data == '{"compute_zone": "zone-b"}'

    az = sdk.create_availability_zone(
        name='sdk-az', availability_zone_profile_id=azp.id,
        description='zone b', is_enabled=True)
    assert (az.name, az.is_enabled) == ('sdk-az', True)
    # An availability zone is named, not numbered: its name is its id.
    assert sdk.get_availability_zone('sdk-az').description == 'zone b'
    assert sdk.find_availability_zone('sdk-az').name == 'sdk-az'
    assert [x.name for x in sdk.availability_zones(
        availability_zone_profile_id=azp.id)] == ['sdk-az']
    assert [x.name for x in sdk.availability_zones(is_enabled=True)] == [
        'sdk-az']

    lb = sdk.create_load_balancer(name='sdk-zoned', vip_subnet_id=SUBNET,
                                  availability_zone='sdk-az')
    assert lb.availability_zone == 'sdk-az'
    settle(sdk, lb.id)
    sdk.delete_load_balancer(lb.id)
    sdk.wait_for_delete(lb, **FAST)

    sdk.update_availability_zone('sdk-az', is_enabled=False,
                                 description='closed')
    got = sdk.get_availability_zone('sdk-az')
    assert (got.is_enabled, got.description) == (False, 'closed')
    with pytest.raises(exceptions.BadRequestException):
        sdk.create_load_balancer(vip_subnet_id=SUBNET,
                                 availability_zone='sdk-az')
    with pytest.raises(exceptions.BadRequestException):
        sdk.create_load_balancer(vip_subnet_id=SUBNET,
                                 availability_zone='no-such-zone')
    sdk.delete_availability_zone('sdk-az')
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_availability_zone('sdk-az')
    sdk.delete_availability_zone_profile(azp.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.get_availability_zone_profile(azp.id)


def test_amphora_calls(sdk, lb):
    amps = list(sdk.amphorae(loadbalancer_id=lb.id))
    assert amps and all(a.loadbalancer_id == lb.id for a in amps)
    active = [a for a in amps if a.role == 'IN_CLUSTER']
    assert sorted(a.id for a in sdk.amphorae(
        loadbalancer_id=lb.id, role='IN_CLUSTER')) == sorted(
        a.id for a in active)
    assert [a.role for a in sdk.amphorae(
        loadbalancer_id=lb.id, role='IN_CLUSTER_STANDBY')] == [
        'IN_CLUSTER_STANDBY']
    assert list(sdk.amphorae(loadbalancer_id=str(uuid.uuid4()))) == []
    target = active[0]
    got = sdk.get_amphora(target.id)
    assert (got.status, got.ha_ip) == ('ALLOCATED', lb.vip_address)
    assert got.compute_id and got.lb_network_ip
    assert sdk.find_amphora(target.id).id == target.id
    assert sdk.find_amphora(str(uuid.uuid4())) is None
    assert [a.id for a in sdk.amphorae(
        compute_id=target.compute_id)] == [target.id]
    assert {a.id for a in sdk.amphorae(status='ALLOCATED',
                                       loadbalancer_id=lb.id)} == {
        a.id for a in amps}

    sdk.configure_amphora(target.id)
    with pytest.raises(exceptions.NotFoundException):
        sdk.configure_amphora(str(uuid.uuid4()))

    sdk.failover_amphora(target.id)
    settle(sdk, lb.id)
    after = list(sdk.amphorae(loadbalancer_id=lb.id))
    assert len(after) == len(amps)
    assert target.id not in [a.id for a in after]
    with pytest.raises(exceptions.NotFoundException):
        sdk.failover_amphora(str(uuid.uuid4()))


def test_vip_choices_duplicates_and_cascade_delete(sdk):
    network = str(uuid.uuid4())
    # Only a network: the noop driver picks (fabricates) a subnet of it.
    by_net = sdk.create_load_balancer(name='sdk-twin', vip_network_id=network)
    assert by_net.vip_network_id == network and by_net.vip_subnet_id
    fixed = sdk.create_load_balancer(name='sdk-twin', vip_subnet_id=SUBNET,
                                     vip_address='198.51.100.77')
    assert fixed.vip_address == '198.51.100.77'
    with pytest.raises(exceptions.DuplicateResource):
        sdk.find_load_balancer('sdk-twin')
    settle(sdk, fixed.id)
    settle(sdk, by_net.id)

    # A whole tree goes with one cascade delete.
    lst = sdk.create_listener(name='doomed', load_balancer_id=fixed.id,
                              protocol='HTTP', protocol_port=80)
    settle(sdk, fixed.id)
    pool = sdk.create_pool(name='doomed', listener_id=lst.id,
                           protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    settle(sdk, fixed.id)
    member = sdk.create_member(pool, address='203.0.113.30',
                               protocol_port=80)
    settle(sdk, fixed.id)
    policy = sdk.create_l7_policy(listener_id=lst.id, action='REJECT')
    settle(sdk, fixed.id)
    with pytest.raises(exceptions.BadRequestException):   # as upstream
        sdk.delete_load_balancer(fixed.id)   # not empty, no cascade
    sdk.delete_load_balancer(fixed.id, cascade=True)
    sdk.wait_for_delete(fixed, **FAST)
    for call, args in ((sdk.get_listener, (lst.id,)),
                       (sdk.get_pool, (pool.id,)),
                       (sdk.get_member, (member.id, pool.id)),
                       (sdk.get_l7_policy, (policy.id,))):
        with pytest.raises(exceptions.NotFoundException):
            call(*args)
    assert sdk.find_load_balancer('sdk-twin').id == by_net.id
    sdk.delete_load_balancer(by_net)
    sdk.wait_for_delete(by_net, **FAST)
