"""Load-balancer configurations (lb_config.build shape) for golden tests."""
import copy

LB = 'a1b2c3d4-0000-4000-8000-000000000001'
AMP = 'amp00000-0000-4000-8000-000000000001'
VIP = '198.51.100.10'


def _id(kind, n):
    return '%s%05d-0000-4000-8000-%012d' % (kind, n, n)


def listener(n, protocol='HTTP', port=80, pool=None, **kw):
    d = {'id': _id('11111', n), 'name': 'l%d' % n, 'enabled': True,
         'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE',
         'protocol': protocol, 'protocol_port': port,
         'connection_limit': -1, 'load_balancer_id': LB,
         'default_pool_id': pool, 'default_tls_container_ref': None,
         'sni_container_refs': [], 'client_ca_tls_container_ref': None,
         'client_authentication': 'NONE', 'client_crl_container_ref': None,
         'insert_headers': {}, 'timeout_client_data': 50000,
         'timeout_member_connect': 5000, 'timeout_member_data': 50000,
         'timeout_tcp_inspect': 0, 'allowed_cidrs': [], 'tls_ciphers': None,
         'tls_versions': [], 'alpn_protocols': [], 'hsts_max_age': None,
         'hsts_include_subdomains': False, 'hsts_preload': False,
         'peer_port': None, 'l7policies': [], 'project_id': 'p'}
    d.update(kw)
    return d


def member(n, ip, port=8080, **kw):
    d = {'id': _id('33333', n), 'name': 'm%d' % n, 'enabled': True,
         'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE',
         'ip_address': ip, 'protocol_port': port, 'weight': 1,
         'backup': False, 'monitor_address': None, 'monitor_port': None,
         'subnet_id': None, 'vnic_type': 'normal', 'project_id': 'p'}
    d.update(kw)
    return d


def pool(n, protocol='HTTP', algorithm='ROUND_ROBIN', members=(),
         hm=None, sp=None, **kw):
    d = {'id': _id('22222', n), 'name': 'p%d' % n, 'enabled': True,
         'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE',
         'protocol': protocol, 'lb_algorithm': algorithm,
         'load_balancer_id': LB, 'session_persistence': sp,
         'tls_enabled': False, 'tls_container_ref': None,
         'ca_tls_container_ref': None, 'crl_container_ref': None,
         'tls_ciphers': None, 'tls_versions': [], 'alpn_protocols': [],
         'members': list(members), 'health_monitor': hm, 'project_id': 'p'}
    d.update(kw)
    return d


def monitor(kind, **kw):
    d = {'id': _id('44444', 1), 'type': kind, 'delay': 2, 'timeout': 1,
         'max_retries': 2, 'max_retries_down': 3, 'http_method': None,
         'url_path': None, 'expected_codes': None, 'http_version': None,
         'domain_name': None, 'enabled': True}
    d.update(kw)
    return d


def config(listeners, pools, enabled=True, vip=VIP):
    return {'load_balancer': {'id': LB, 'enabled': enabled,
                              'topology': 'SINGLE', 'vip_address': vip},
            'listeners': listeners, 'pools': pools}


def rule(n, kind, compare, value, key=None, invert=False):
    return {'id': _id('66666', n), 'type': kind, 'compare_type': compare,
            'key': key, 'value': value, 'invert': invert, 'enabled': True}


def policy(n, action, rules, position=1, **kw):
    d = {'id': _id('55555', n), 'action': action, 'position': position,
         'enabled': True, 'redirect_pool_id': None, 'redirect_url': None,
         'redirect_prefix': None, 'redirect_http_code': None,
         'rules': rules}
    d.update(kw)
    return d


def _two(n=1):
    return [member(n, '203.0.113.11'), member(n + 1, '203.0.113.12')]


P1 = _id('22222', 1)
P2 = _id('22222', 2)

CASES = {
    'http_round_robin': config(
        [listener(1, pool=P1)], [pool(1, members=_two())]),
    'tcp_leastconn_tcp_monitor': config(
        [listener(1, 'TCP', 3306, pool=P1, connection_limit=1000,
                  timeout_client_data=30000, timeout_member_connect=2000,
                  timeout_member_data=60000, timeout_tcp_inspect=500)],
        [pool(1, 'TCP', 'LEAST_CONNECTIONS', _two(), monitor('TCP'))]),
    'https_passthrough_source_ip_tls_hello': config(
        [listener(1, 'HTTPS', 443, pool=P1)],
        [pool(1, 'HTTPS', 'SOURCE_IP', _two(), monitor('TLS-HELLO'),
              {'type': 'SOURCE_IP', 'persistence_timeout': 300})]),
    'http_members_options_http_monitor': config(
        [listener(1, pool=P1, insert_headers={
            'X-Forwarded-For': 'true', 'X-Forwarded-Port': 'true'},
            allowed_cidrs=['198.51.100.0/24', '192.0.2.0/24'])],
        [pool(1, members=[
            member(1, '203.0.113.11', weight=3),
            member(2, '203.0.113.12', backup=True),
            member(3, '203.0.113.13', monitor_address='203.0.113.99',
                   monitor_port=9000),
            member(4, '203.0.113.14', enabled=False)],
            hm=monitor('HTTP', http_method='HEAD', url_path='/health',
                       expected_codes='200-202', http_version=1.1,
                       domain_name='example.org'),
            sp={'type': 'HTTP_COOKIE'})]),
    'https_monitor_app_cookie_ping': config(
        [listener(1, pool=P1), listener(2, 'TCP', 8443, pool=P2)],
        [pool(1, members=_two(), hm=monitor('HTTPS', url_path='/'),
              sp={'type': 'APP_COOKIE', 'cookie_name': 'JSESSIONID'}),
         pool(2, 'TCP', members=_two(3), hm=monitor('PING'))]),
    'terminated_https_l7': config(
        [listener(1, 'TERMINATED_HTTPS', 443, pool=P1,
                  default_tls_container_ref='store/www',
                  sni_container_refs=['store/api'],
                  client_ca_tls_container_ref='store/ca',
                  client_authentication='OPTIONAL',
                  tls_versions=['TLSv1.2', 'TLSv1.3'],
                  alpn_protocols=['h2', 'http/1.1'], hsts_max_age=3600,
                  hsts_include_subdomains=True,
                  insert_headers={'X-Forwarded-Proto': 'true'},
                  l7policies=[
                      policy(1, 'REDIRECT_TO_POOL', [
                          rule(1, 'PATH', 'STARTS_WITH', '/api'),
                          rule(2, 'HOST_NAME', 'EQUAL_TO', 'api.example.org')],
                          redirect_pool_id=P2),
                      policy(2, 'REJECT', [
                          rule(3, 'HEADER', 'CONTAINS', 'bot',
                               key='User-Agent'),
                          rule(4, 'SSL_CONN_HAS_CERT', 'EQUAL_TO', 'True',
                               invert=True)], position=2),
                      policy(3, 'REDIRECT_TO_URL', [
                          rule(5, 'FILE_TYPE', 'EQUAL_TO', 'php')],
                          position=3, redirect_url='https://example.org/',
                          redirect_http_code=301),
                      policy(4, 'REDIRECT_PREFIX', [
                          rule(6, 'COOKIE', 'REGEX', '^v[0-9]+"$', key='ver')],
                          position=4,
                          redirect_prefix='https://v2.example.org'),
                  ])],
        [pool(1, members=_two()), pool(2, members=_two(3))]),
    'disabled_lb_ipv6': config(
        [listener(1, pool=P1)],
        [pool(1, members=[member(1, 'fd00::11'), member(2, 'fd00::12')],
              sp={'type': 'SOURCE_IP'})],
        enabled=False, vip='fd00::10'),
}

PEERS = [('amp00000-0000-4000-8000-000000000001', '192.0.2.11'),
         ('amp00000-0000-4000-8000-000000000002', '192.0.2.12'),
         ('amp00000-0000-4000-8000-000000000003', '192.0.2.13')]
ACTIVE_ACTIVE = copy.deepcopy(CASES['https_passthrough_source_ip_tls_hello'])
ACTIVE_ACTIVE['load_balancer']['topology'] = 'ACTIVE_ACTIVE'
ACTIVE_ACTIVE['listeners'][0]['peer_port'] = 1029
