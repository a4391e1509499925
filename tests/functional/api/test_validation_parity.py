"""Validation as upstream Octavia's: neither looser nor stricter.  One
case per asserted row of docs/api-parity.md: the status code, and that the
faultstring names the field or the cause (or, for an accepted request,
that the object was made as upstream makes it).

The tree of objects is made through the API and then marked ACTIVE in the
database (no worker: these tests are about the API's checks only).  UDP
pools, which the API may refuse to make, are written to the database.
"""
import pytest
import sqlalchemy as sa

from octavia_aa.db import api as db_api
from octavia_aa.db import models as m
from tests.functional.api import helpers

V2 = '/v2/lbaas'
DAY_MS = 24 * 60 * 60 * 1000
ABSENT = 'absent from the response'
STATUS_MODELS = (m.LoadBalancer, m.Listener, m.Pool, m.Member,
                 m.HealthMonitor, m.L7Policy, m.L7Rule)


def settle():
    """Every PENDING_* object ACTIVE, as the worker would leave them."""
    with db_api.session_scope() as session:
        for model in STATUS_MODELS:
            session.execute(sa.update(model).where(
                model.provisioning_status.like('PENDING_%'))
                .values(provisioning_status='ACTIVE'))


def make(api, kind, body, path=None):
    singular = {'loadbalancers': 'loadbalancer', 'listeners': 'listener',
                'pools': 'pool', 'healthmonitors': 'healthmonitor',
                'l7policies': 'l7policy'}.get(kind, kind)
    obj = helpers.post(api, path or '%s/%s' % (V2, kind), singular,
                       body)[singular]
    settle()
    return obj


def _udp_pool(lb_id, project_id):
    with db_api.session_scope() as session:
        pool = m.Pool(load_balancer_id=lb_id, project_id=project_id,
                      protocol='UDP', lb_algorithm='ROUND_ROBIN',
                      provisioning_status='ACTIVE',
                      operating_status='ONLINE')
        session.add(pool)
        session.flush()
        return pool.id


@pytest.fixture
def tree(api):
    lb = make(api, 'loadbalancers', {'vip_subnet_id': 'public-subnet'})
    t = {'lb': lb['id'], 'vip': lb['vip_address']}
    t['http'] = make(api, 'listeners', {
        'loadbalancer_id': t['lb'], 'protocol': 'HTTP',
        'protocol_port': 80})['id']
    t['tcp'] = make(api, 'listeners', {
        'loadbalancer_id': t['lb'], 'protocol': 'TCP',
        'protocol_port': 90})['id']
    t['https'] = make(api, 'listeners', {
        'loadbalancer_id': t['lb'], 'protocol': 'TERMINATED_HTTPS',
        'protocol_port': 443, 'default_tls_container_ref': 'cert-1'})['id']
    t['pool'] = make(api, 'pools', {
        'listener_id': t['http'], 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN'})['id']
    t['lbpool'] = make(api, 'pools', {
        'loadbalancer_id': t['lb'], 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN'})['id']
    t['httpspool'] = make(api, 'pools', {
        'loadbalancer_id': t['lb'], 'protocol': 'HTTPS',
        'lb_algorithm': 'ROUND_ROBIN'})['id']
    t['cookiepool'] = make(api, 'pools', {
        'loadbalancer_id': t['lb'], 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN', 'session_persistence': {
            'type': 'APP_COOKIE', 'cookie_name': 'sid'}})['id']
    t['udppool'] = _udp_pool(t['lb'], lb['project_id'])
    t['hm'] = make(api, 'healthmonitors', {
        'pool_id': t['pool'], 'type': 'HTTP', 'delay': 5, 'timeout': 3,
        'max_retries': 3})['id']
    t['tcphm'] = make(api, 'healthmonitors', {
        'pool_id': t['lbpool'], 'type': 'TCP', 'delay': 5, 'timeout': 3,
        'max_retries': 3})['id']
    t['policy'] = make(api, 'l7policies', {
        'listener_id': t['http'], 'action': 'REJECT'})['id']
    return t


def fill(value, t):
    if isinstance(value, str):
        return value.format(**t) if '{' in value else value
    if isinstance(value, dict):
        return {k: fill(v, t) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(fill(v, t) for v in value)
    return value


def call(api, method, path, key, body, status):
    fn = api.post_json if method == 'POST' else api.put_json
    return fn(V2 + path, {key: body}, status=status, expect_errors=True)


def check(resp, status, needle):
    assert resp.status_int == status, resp.body
    if status >= 400:
        assert resp.json['faultcode'] == 'Client'
        assert needle in resp.json['faultstring'], resp.json['faultstring']
    elif needle is not None:
        key, want = needle
        obj = next(iter(resp.json.values()))
        if want is ABSENT:
            assert key not in obj, obj
        else:
            assert obj[key] == want, obj


def L(body, status, needle, method='POST', path='/listeners'):
    body = dict(body) if method == 'PUT' else dict(
        {'loadbalancer_id': '{lb}'}, **body)
    return (method, path, 'listener', body, status, needle)


def P(body, status, needle, method='POST', path='/pools'):
    if method == 'POST':
        body = dict({'protocol': 'HTTP', 'lb_algorithm': 'ROUND_ROBIN'},
                    **body)
        body.setdefault('loadbalancer_id', '{lb}')
    return (method, path, 'pool', body, status, needle)


def SP(sp, status, needle, protocol='HTTP'):
    return P({'protocol': protocol, 'session_persistence': sp}, status,
             needle)


def MB(body, status, needle, pool='{pool}'):
    return ('POST', '/pools/%s/members' % pool, 'member',
            dict({'protocol_port': 80}, **body), status, needle)


def HM(body, status, needle, pool='{lbpool}', method='POST', path=None):
    if method == 'POST':
        body = dict({'pool_id': pool, 'delay': 5, 'timeout': 3,
                     'max_retries': 3}, **body)
    return (method, path or '/healthmonitors', 'healthmonitor', body,
            status, needle)


def PO(body, status, needle, method='POST', path='/l7policies'):
    if method == 'POST':
        body = dict({'listener_id': '{http}'}, **body)
    return (method, path, 'l7policy', body, status, needle)


def R(body, status, needle, kind='PATH', compare='EQUAL_TO'):
    return ('POST', '/l7policies/{policy}/rules', 'rule',
            dict({'type': kind, 'compare_type': compare}, **body), status,
            needle)


HTTPS = {'protocol': 'TERMINATED_HTTPS', 'protocol_port': 8443,
         'default_tls_container_ref': 'cert-1'}

CASES = {
    # --- listener ---------------------------------------------------------
    'listener-timeout-24-days': L({'protocol': 'HTTP', 'protocol_port': 81,
                                   'timeout_client_data': 24 * DAY_MS}, 201,
                                  ('timeout_client_data', 24 * DAY_MS)),
    'listener-timeout-over-24-days': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'timeout_member_data': 24 * DAY_MS + 1}, 400, 'timeout_member_data'),
    'listener-same-port-same-protocol': L({
        'protocol': 'HTTP', 'protocol_port': 80}, 409, 'protocol_port 80'),
    'listener-same-port-same-l4': L({'protocol': 'TCP', 'protocol_port': 80},
                                    409, 'protocol_port 80'),
    'listener-hsts-on-http': L({'protocol': 'HTTP', 'protocol_port': 81,
                                'hsts_max_age': 100}, 400, 'HSTS'),
    'listener-hsts-flags-without-max-age': L(dict(
        HTTPS, hsts_include_subdomains=True), 400, 'hsts_max_age'),
    'listener-hsts-on-terminated-https': L(dict(
        HTTPS, hsts_max_age=100, hsts_preload=True), 201,
        ('hsts_max_age', 100)),
    'listener-cidr-other-family': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'allowed_cidrs': ['2001:db8::/64']}, 400, 'IP version'),
    'listener-cidr-normalized': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'allowed_cidrs': ['203.0.113.7/24']}, 201,
        ('allowed_cidrs', ['203.0.113.0/24'])),
    'listener-cidr-malformed': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'allowed_cidrs': ['203.0.113.0/33']}, 400, 'allowed_cidrs'),
    'listener-headers-on-tcp': L({
        'protocol': 'TCP', 'protocol_port': 81,
        'insert_headers': {'X-Forwarded-For': 'true'}}, 400,
        'insert_headers'),
    'listener-headers-unknown': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'insert_headers': {'X-Colour': 'red'}}, 400, 'insert_headers'),
    'listener-ssl-headers-on-http': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'insert_headers': {'X-SSL-Client-DN': 'true'}}, 400,
        'TERMINATED_HTTPS'),
    'listener-headers-value-not-string': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'insert_headers': {'X-Forwarded-For': ['x']}}, 400,
        'insert_headers.X-Forwarded-For'),
    'listener-headers-http': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'insert_headers': {'X-Forwarded-For': 'true'}}, 201,
        ('insert_headers', {'X-Forwarded-For': 'true'})),
    'listener-sni-only': L({'protocol': 'TERMINATED_HTTPS',
                            'protocol_port': 8443,
                            'sni_container_refs': ['cert-2']}, 201,
                           ('sni_container_refs', ['cert-2'])),
    'listener-terminated-without-cert': L({
        'protocol': 'TERMINATED_HTTPS', 'protocol_port': 8443}, 400,
        'certificate container reference must be provided'),
    'listener-client-auth-without-ca': L(dict(
        HTTPS, client_authentication='MANDATORY'), 400,
        'client_authentication'),
    'listener-crl-without-ca': L(dict(
        HTTPS, client_crl_container_ref='crl-1'), 400, 'revocation list'),
    'listener-ca-without-cert': L({
        'protocol': 'TERMINATED_HTTPS', 'protocol_port': 8443,
        'client_ca_tls_container_ref': 'ca-1'}, 400,
        'with a client CA container reference'),
    'listener-cert-on-http': L({
        'protocol': 'HTTP', 'protocol_port': 81,
        'default_tls_container_ref': 'cert-1'}, 400,
        'Certificate container references are not allowed'),
    'listener-tls-versions-empty': L(dict(HTTPS, tls_versions=[]), 400,
                                     'Empty TLS version list'),
    'listener-tls-versions-unknown': L(dict(HTTPS, tls_versions=['TLSv9']),
                                       400, 'Invalid TLS versions'),
    'listener-alpn-unknown': L(dict(HTTPS, alpn_protocols=['spdy/3']), 400,
                               'alpn_protocols'),
    'listener-ciphers-bad-chars': L(dict(HTTPS, tls_ciphers='ECDHE RSA'),
                                    400, 'cipher string'),
    'listener-sni-ref-too-long': L(dict(HTTPS, sni_container_refs=[
        'x' * 256]), 400, 'sni_container_refs'),
    'listener-pool-shared': L({'protocol': 'HTTP', 'protocol_port': 81,
                               'default_pool_id': '{pool}'}, 201,
                              ('default_pool_id', '{pool}')),
    'listener-pool-protocol': L({'protocol': 'HTTP', 'protocol_port': 81,
                                 'default_pool_id': '{httpspool}'}, 400,
                                "pool protocol 'HTTPS' is invalid"),
    'listener-put-name-terminated': L({'name': 'x'}, 200, ('name', 'x'),
                                      'PUT', '/listeners/{https}'),
    'listener-put-hsts-on-http': L({'hsts_max_age': 5}, 400, 'HSTS', 'PUT',
                                   '/listeners/{http}'),
    'listener-put-cidr-other-family': L(
        {'allowed_cidrs': ['fd00::/8']}, 400, 'IP version', 'PUT',
        '/listeners/{http}'),
    'listener-put-client-auth-without-ca': L(
        {'client_authentication': 'OPTIONAL'}, 400, 'client_authentication',
        'PUT', '/listeners/{https}'),
    # --- pool -------------------------------------------------------------
    'pool-listener-and-lb': P({'listener_id': '{tcp}', 'protocol': 'TCP'},
                              201, ('listeners', [{'id': '{tcp}'}])),
    'pool-listener-has-default-pool': P({'listener_id': '{http}',
                                         'loadbalancer_id': None}, 409,
                                        'default pool'),
    'pool-protocol-vs-listener': P({'listener_id': '{http}',
                                    'loadbalancer_id': None,
                                    'protocol': 'HTTPS'}, 400,
                                   "pool protocol 'HTTPS' is invalid"),
    'pool-app-cookie-without-name': SP({'type': 'APP_COOKIE'}, 400,
                                       'cookie_name'),
    'pool-tcp-http-cookie': SP({'type': 'HTTP_COOKIE'}, 400, 'TCP mode',
                               protocol='TCP'),
    'pool-https-app-cookie': SP({'type': 'APP_COOKIE', 'cookie_name': 'sid'},
                                400, 'TCP mode', protocol='HTTPS'),
    'pool-cookie-name-not-app-cookie': SP({
        'type': 'HTTP_COOKIE', 'cookie_name': 'sid'}, 400, 'cookie_name'),
    'pool-cookie-name-space': SP({'type': 'APP_COOKIE',
                                  'cookie_name': 'a b'}, 400, 'cookie_name'),
    'pool-cookie-name-bad-char': SP({'type': 'APP_COOKIE',
                                     'cookie_name': 'a/b'}, 400,
                                    'cookie_name'),
    'pool-sp-timeout-on-http': SP({'type': 'SOURCE_IP',
                                   'persistence_timeout': 60}, 400,
                                  'persistence_timeout'),
    'pool-sp-unknown-key': SP({'type': 'SOURCE_IP', 'colour': 'red'}, 400,
                              'session_persistence.colour'),
    'pool-sp-granularity-bad': SP({'type': 'SOURCE_IP',
                                   'persistence_granularity': 'x'}, 400,
                                  'persistence_granularity'),
    'pool-put-sp-without-type': P({'session_persistence': {
        'cookie_name': 'other'}}, 200, ('session_persistence', {
            'type': 'APP_COOKIE', 'cookie_name': 'other',
            'persistence_timeout': None, 'persistence_granularity': None}),
        'PUT', '/pools/{cookiepool}'),
    'pool-put-udp-source-ip-timeout': P({'session_persistence': {
        'type': 'SOURCE_IP', 'persistence_timeout': 60,
        'persistence_granularity': '255.255.255.0'}}, 200, None, 'PUT',
        '/pools/{udppool}'),
    'pool-put-udp-app-cookie': P({'session_persistence': {
        'type': 'APP_COOKIE', 'cookie_name': 'sid'}}, 400, 'UDP/SCTP',
        'PUT', '/pools/{udppool}'),
    'pool-put-udp-http-cookie': P({'session_persistence': {
        'type': 'HTTP_COOKIE'}}, 400, 'UDP/SCTP', 'PUT', '/pools/{udppool}'),
    'pool-crl-without-ca': P({'crl_container_ref': 'crl-1'}, 400,
                             'revocation list'),
    'pool-tls-versions-empty': P({'tls_enabled': True, 'tls_versions': []},
                                 400, 'Empty TLS version list'),
    'pool-alpn-unknown': P({'alpn_protocols': ['spdy/3']}, 400,
                           'alpn_protocols'),
    # --- member -----------------------------------------------------------
    'member-zone-id': MB({'address': 'fe80::1%eth0'}, 400, 'address'),
    'member-reserved-ip': MB({'address': '169.254.169.254'}, 400,
                             'member address'),
    'member-ipv6': MB({'address': '2001:db8::1'}, 201,
                      ('address', '2001:db8::1')),
    'member-monitor-zone-id': MB({'address': '203.0.113.5',
                                  'monitor_address': 'fe80::1%lo'}, 400,
                                 'monitor_address'),
    'member-sriov-false': MB({'address': '203.0.113.5',
                              'request_sriov': False}, 201,
                             ('request_sriov', ABSENT)),
    'member-sriov-true': MB({'address': '203.0.113.5',
                             'request_sriov': True}, 400, 'request_sriov'),
    # --- health monitor ---------------------------------------------------
    'hm-timeout-above-delay': HM({'type': 'TCP', 'delay': 2, 'timeout': 9},
                                 201, ('timeout', 9), pool='{httpspool}'),
    'hm-udp-connect-on-http-pool': HM({'type': 'UDP-CONNECT'}, 400,
                                      'UDP/SCTP', pool='{httpspool}'),
    'hm-sctp-on-http-pool': HM({'type': 'SCTP'}, 400, 'UDP/SCTP',
                               pool='{httpspool}'),
    'hm-udp-connect-delay-below-3': HM({'type': 'UDP-CONNECT', 'delay': 2,
                                        'timeout': 1}, 400, 'delay',
                                       pool='{udppool}'),
    'hm-udp-connect-delay-3': HM({'type': 'UDP-CONNECT', 'delay': 3,
                                  'timeout': 1}, 201, ('delay', 3),
                                 pool='{udppool}'),
    'hm-ping-on-udp-pool': HM({'type': 'PING'}, 400, 'UDP-CONNECT/SCTP/TCP',
                              pool='{udppool}'),
    'hm-domain-on-tcp': HM({'type': 'TCP', 'http_version': 1.1,
                            'domain_name': 'example.com'}, 201,
                           ('domain_name', 'example.com'),
                           pool='{httpspool}'),
    'hm-url-path-on-tcp': HM({'type': 'TCP', 'url_path': '/'}, 400,
                             'url_path', pool='{httpspool}'),
    'hm-codes-list-and-range': HM({'type': 'HTTP',
                                   'expected_codes': '200-204,300'}, 400,
                                  'expected_codes', pool='{httpspool}'),
    'hm-codes-any-three-digits': HM({'type': 'HTTP',
                                     'expected_codes': '200, 000'}, 201,
                                    ('expected_codes', '200, 000'),
                                    pool='{httpspool}'),
    'hm-url-path-absolute-url': HM({'type': 'HTTP',
                                    'url_path': 'http://x/health'}, 400,
                                   'url_path', pool='{httpspool}'),
    'hm-url-path-query': HM({'type': 'HTTP', 'url_path': '/h?x=1'}, 201,
                            ('url_path', '/h?x=1'), pool='{httpspool}'),
    'hm-domain-bad': HM({'type': 'HTTP', 'http_version': 1.1,
                         'domain_name': 'bad-.example'}, 400, 'domain_name',
                        pool='{httpspool}'),
    'hm-domain-trailing-newline': HM({'type': 'HTTP', 'http_version': 1.1,
                                      'domain_name': 'example.com\n'}, 400,
                                     'domain_name', pool='{httpspool}'),
    'hm-codes-trailing-newline': HM({'type': 'HTTP',
                                     'expected_codes': '200\n'}, 400,
                                    'expected_codes', pool='{httpspool}'),
    'hm-domain-without-version': HM({'type': 'HTTP',
                                     'domain_name': 'example.com'}, 400,
                                    'http_version', pool='{httpspool}'),
    'hm-domain-http-1.0': HM({'type': 'HTTP', 'http_version': 1.0,
                              'domain_name': 'example.com'}, 400,
                             'http_version', pool='{httpspool}'),
    'hm-put-null-url-path': HM({'url_path': None}, 200, ('url_path', '/'),
                               method='PUT', path='/healthmonitors/{hm}'),
    'hm-put-null-url-path-tcp': HM({'url_path': None}, 400, 'url_path',
                                   method='PUT',
                                   path='/healthmonitors/{tcphm}'),
    # --- l7 policy --------------------------------------------------------
    'policy-reject-drops-pool': PO({'action': 'REJECT',
                                    'redirect_pool_id': '{lbpool}'}, 201,
                                   ('redirect_pool_id', None)),
    'policy-url-missing': PO({'action': 'REDIRECT_TO_URL'}, 400,
                             'redirect_url'),
    'policy-url-scheme': PO({'action': 'REDIRECT_TO_URL',
                             'redirect_url': 'ftp://example.com/'}, 400,
                            'redirect_url'),
    'policy-url-space': PO({'action': 'REDIRECT_TO_URL',
                            'redirect_url': 'http://exa mple.com/'}, 400,
                           'redirect_url'),
    'policy-prefix-no-host': PO({'action': 'REDIRECT_PREFIX',
                                 'redirect_prefix': 'http://'}, 400,
                                'redirect_prefix'),
    'policy-pool-and-prefix': PO({'action': 'REDIRECT_TO_POOL',
                                  'redirect_pool_id': '{lbpool}',
                                  'redirect_prefix': 'https://a.example'},
                                 400, 'at the same time'),
    'policy-pool-drops-code': PO({'action': 'REDIRECT_TO_POOL',
                                  'redirect_pool_id': '{lbpool}',
                                  'redirect_http_code': 301}, 201,
                                 ('redirect_http_code', None)),
    'policy-pool-protocol': PO({'action': 'REDIRECT_TO_POOL',
                                'redirect_pool_id': '{httpspool}'}, 400,
                               "pool protocol 'HTTPS' is invalid"),
    'policy-url-default-code': PO({'action': 'REDIRECT_TO_URL',
                                   'redirect_url': 'https://a.example/'},
                                  201, ('redirect_http_code', 302)),
    'policy-on-tcp-listener': PO({'listener_id': '{tcp}',
                                  'action': 'REJECT'}, 400, 'TCP'),
    'policy-put-url-implies-action': PO({
        'redirect_url': 'http://a.example/'}, 200,
        ('action', 'REDIRECT_TO_URL'), 'PUT', '/l7policies/{policy}'),
    'policy-put-empty': PO({}, 400, 'Invalid update options', 'PUT',
                           '/l7policies/{policy}'),
    # --- l7 rule ----------------------------------------------------------
    'rule-header-without-key': R({'value': 'x'}, 400, 'key', 'HEADER'),
    'rule-header-key-space': R({'key': 'X Bad', 'value': 'x'}, 400, 'key',
                               'HEADER'),
    'rule-header-value-space': R({'key': 'X-A', 'value': 'a b'}, 400,
                                 'value', 'HEADER'),
    'rule-header-value-quoted': R({'key': 'X-A', 'value': '"a b"'}, 201,
                                  ('value', '"a b"'), 'HEADER'),
    'rule-path-regex-space': R({'value': '^/a b$'}, 201,
                               ('value', '^/a b$'), 'PATH', 'REGEX'),
    'rule-regex-invalid': R({'value': '('}, 400, 'regular expression',
                            'PATH', 'REGEX'),
    'rule-value-newline': R({'value': 'a\nb'}, 400, 'value', 'PATH',
                            'REGEX'),
    'rule-value-trailing-newline': R({'value': '^/a$\n'}, 400, 'value',
                                     'PATH', 'REGEX'),
    'rule-key-newline': R({'key': 'X\r', 'value': 'a'}, 400, 'key',
                          'HEADER'),
    'rule-file-type-starts-with': R({'value': 'jpg'}, 400, 'compare_type',
                                    'FILE_TYPE', 'STARTS_WITH'),
    'rule-cookie-value-semicolon': R({'key': 'sid', 'value': 'a;b'}, 400,
                                     'cookie value', 'COOKIE'),
    'rule-has-cert-false': R({'value': 'false'}, 400, 'value',
                             'SSL_CONN_HAS_CERT'),
    'rule-has-cert-true': R({'value': 'True'}, 201, ('value', 'True'),
                            'SSL_CONN_HAS_CERT'),
    'rule-verify-not-int': R({'value': 'abc'}, 400, 'value',
                             'SSL_VERIFY_RESULT'),
    'rule-verify-with-key': R({'key': 'k', 'value': '0'}, 400, 'key',
                              'SSL_VERIFY_RESULT'),
    'rule-dn-key-bad': R({'key': '1CN', 'value': 'x'}, 400, 'key',
                         'SSL_DN_FIELD'),
    'rule-dn-ok': R({'key': 'CN', 'value': 'x'}, 201, ('key', 'CN'),
                    'SSL_DN_FIELD'),
    # --- load balancer ----------------------------------------------------
    'lb-vip-zone-id': ('POST', '/loadbalancers', 'loadbalancer', {
        'vip_subnet_id': 'public-subnet', 'vip_address': 'fe80::1%eth0'},
        400, 'vip_address'),
    'lb-sg-ids-not-uuid': ('POST', '/loadbalancers', 'loadbalancer', {
        'vip_subnet_id': 'public-subnet', 'vip_sg_ids': ['default']}, 400,
        'vip_sg_ids'),
    'lb-tenant-id-alias': ('POST', '/loadbalancers', 'loadbalancer', {
        'vip_subnet_id': 'public-subnet', 'tenant_id': 'p-42'}, 201,
        ('project_id', 'p-42')),
    'lb-tag-too-long': ('POST', '/loadbalancers', 'loadbalancer', {
        'vip_subnet_id': 'public-subnet', 'tags': ['x' * 256]}, 400,
        'tags'),
}


@pytest.mark.parametrize('case', sorted(CASES))
def test_parity(api, tree, case):
    method, path, key, body, status, needle = fill(CASES[case], tree)
    if isinstance(body, dict):
        body = {k: v for k, v in body.items() if v is not None or
                method == 'PUT' or k.startswith('redirect')}
    before = helpers.row_counts()
    resp = call(api, method, path, key, body, status)
    check(resp, status, needle)
    if status >= 400:
        assert helpers.row_counts() == before, 'a refused request wrote'


def test_pool_in_use_by_policy_is_409(api, tree):
    make(api, 'l7policies', {'listener_id': tree['http'],
                             'action': 'REDIRECT_TO_POOL',
                             'redirect_pool_id': tree['lbpool']})
    resp = api.delete(V2 + '/pools/' + tree['lbpool'], status=409)
    assert 'L7 policy' in resp.json['faultstring']


def test_fifty_rules_per_policy(api, tree):
    with db_api.session_scope() as session:
        for i in range(50):
            session.add(m.L7Rule(l7policy_id=tree['policy'], type='PATH',
                                 compare_type='EQUAL_TO', value='/%d' % i,
                                 provisioning_status='ACTIVE',
                                 operating_status='ONLINE'))
    resp = api.post_json(V2 + '/l7policies/%s/rules' % tree['policy'], {
        'rule': {'type': 'PATH', 'compare_type': 'EQUAL_TO',
                 'value': '/x'}}, status=409)
    assert 'Too many rules' in resp.json['faultstring']


def test_ping_monitors_can_be_disabled(api, tree, overrides):
    overrides('allow_ping_health_monitors', False, 'api_settings')
    resp = api.post_json(V2 + '/healthmonitors', {'healthmonitor': {
        'pool_id': tree['httpspool'], 'type': 'PING', 'delay': 5,
        'timeout': 3, 'max_retries': 3}}, status=400)
    assert 'PING' in resp.json['faultstring']
