"""Render one HAProxy configuration per load balancer and amphora.

Input is the load balancer's desired state as built by
``octavia_aa.controller.worker.lb_config.build`` (plain dicts, the same
thing ``AmphoraDriver.update_config`` receives), so the configuration
can be rendered from the ORM objects or from a pushed config alike.

Paths on the amphora are not known here: the file refers to
``"${LB_DIR}"``, which the agent sets in HAProxy's environment (HAProxy
expands environment variables inside double quotes).  That keeps the
rendered file the same on every amphora except for peers and localpeer.
"""
import copy
import ipaddress
import re

import jinja2

from octavia_aa.amphorae.haproxy import peers as peers_mod

DEFAULT_PEER_PORT = 1025
DEFAULT_MAXCONN = 4000   # the sandbox hard FD limit is 20000 (2 fds/conn)
_ALGORITHMS = {'ROUND_ROBIN': 'roundrobin', 'LEAST_CONNECTIONS': 'leastconn',
               'SOURCE_IP': 'source', 'SOURCE_IP_PORT': 'source'}
_MATCH = {'REGEX': 'reg', 'STARTS_WITH': 'beg', 'ENDS_WITH': 'end',
          'CONTAINS': 'sub', 'EQUAL_TO': 'str'}
_HTTP_MODES = ('HTTP', 'TERMINATED_HTTPS')
HAPROXY_LISTENERS = ('HTTP', 'HTTPS', 'TCP', 'TERMINATED_HTTPS',
                     'PROMETHEUS')
# Served by the amphora's UDP service, not by HAProxy (udp_config.py).
NOT_HAPROXY_POOLS = ('UDP', 'SCTP')


class UnsupportedConfig(ValueError):
    """The configuration asks for something HAProxy cannot do here."""


def cert_filename(ref):
    """File name on the amphora for a certificate store reference."""
    return re.sub(r'[^A-Za-z0-9_.-]', '_', ref.rsplit('/', 1)[-1]) + '.pem'


def quote(value):
    """One HAProxy argument in strong (single) quotes: user data gets no
    escape or environment expansion; a quote itself is closed, escaped
    and reopened as in a shell."""
    return "'%s'" % str(value).replace("'", "'\\''")


def _addr(ip, port):
    # HAProxy takes the last colon as the port separator, so IPv6 needs
    # no brackets.
    return '%s:%s' % (ip, port)


def _expect(codes):
    """Octavia's expected_codes ('200', '200-204', '200,202') as regex."""
    codes = codes or '200'
    if '-' in codes:
        low, high = (int(x) for x in codes.split('-'))
        codes = ','.join(str(c) for c in range(low, high + 1))
    return '^(%s)$' % '|'.join(c.strip() for c in codes.split(','))


def _acl(rule, name):
    kind, value, key = rule['type'], rule['value'], rule.get('key')
    match = '-m %s' % _MATCH[rule['compare_type']]
    fetch = {
        'HOST_NAME': 'req.hdr(host),field(1,:)',
        'PATH': 'path',
        'HEADER': 'req.hdr(%s)' % key,
        'COOKIE': 'req.cook(%s)' % key,
        'SSL_DN_FIELD': 'ssl_c_s_dn(%s)' % key,
    }.get(kind)
    if kind == 'FILE_TYPE':
        fetch, match = ('path', '-m reg') if match == '-m reg' else \
            ('path_end', '-m str')
        if match == '-m str' and not value.startswith('.'):
            value = '.' + value
    if kind == 'SSL_CONN_HAS_CERT':
        return 'acl %s ssl_c_used' % name
    if kind == 'SSL_VERIFY_RESULT':
        return 'acl %s ssl_c_verify eq %d' % (name, int(value))
    return 'acl %s %s %s %s' % (name, fetch, match, quote(value))


def _policies(listener):
    out = []
    for pol in sorted(listener.get('l7policies', []),
                      key=lambda p: p['position']):
        rules = [r for r in pol['rules'] if r.get('enabled', True)]
        if not pol.get('enabled', True) or not rules:
            continue   # Octavia: a policy without rules never matches
        acls, cond = [], []
        for rule in rules:
            name = 'r_%s' % rule['id'].replace('-', '')
            acls.append(_acl(rule, name))
            cond.append(('!' if rule.get('invert') else '') + name)
        out.append({'policy': pol, 'acls': acls, 'cond': ' '.join(cond)})
    return out


def _pool_mode(pool, listeners):
    if pool['protocol'] == 'HTTP':
        return 'http'
    if pool['protocol'] in ('PROXY', 'PROXYV2') and any(
            lst['protocol'] in _HTTP_MODES for lst in listeners
            if lst.get('default_pool_id') == pool['id']):
        return 'http'
    return 'tcp'


def _stick_type(vip):
    if vip and ipaddress.ip_address(vip).version == 6:
        return 'ipv6'
    return 'ip'


# Column defaults (models.py), for objects that were never flushed.
_DEFAULTS = {
    'listener': {'enabled': True, 'connection_limit': -1,
                 'timeout_client_data': 50000, 'timeout_member_connect': 5000,
                 'timeout_member_data': 50000, 'timeout_tcp_inspect': 0,
                 'insert_headers': {}, 'allowed_cidrs': [],
                 'sni_container_refs': [], 'tls_versions': [],
                 'alpn_protocols': [], 'client_authentication': 'NONE',
                 'hsts_include_subdomains': False, 'hsts_preload': False,
                 'l7policies': []},
    'pool': {'enabled': True, 'tls_enabled': False, 'members': []},
    'member': {'enabled': True, 'weight': 1, 'backup': False},
    'monitor': {'max_retries_down': 3},
    'policy': {'enabled': True, 'position': 1, 'rules': []},
    'rule': {'enabled': True, 'invert': False},
}


def _fill(obj, kind):
    for key, value in _DEFAULTS[kind].items():
        if obj.get(key) is None:
            obj[key] = copy.deepcopy(value)


def _with_defaults(config):
    for lst in config['listeners']:
        _fill(lst, 'listener')
        for pol in lst['l7policies']:
            _fill(pol, 'policy')
            for rule in pol['rules']:
                _fill(rule, 'rule')
    for pool in config['pools']:
        _fill(pool, 'pool')
        for member in pool['members']:
            _fill(member, 'member')
        if pool.get('health_monitor'):
            _fill(pool['health_monitor'], 'monitor')
    return config


def build_context(config, amphora_id, peers=(), peer_port=None,
                  maxconn=DEFAULT_MAXCONN, probe=None):
    """The template context; peers: [(amphora_id, ip)] of the peer group
    including this amphora (empty: no stick-table sync); probe: (ip,
    port) where the distributor probes this amphora, or None."""
    lb = config['load_balancer']
    vip = lb.get('vip_address')
    listeners = [lst for lst in config['listeners']
                 if lst['protocol'] in HAPROXY_LISTENERS]
    pools = [p for p in config['pools']
             if p['protocol'] not in NOT_HAPROXY_POOLS]
    if peer_port is None:
        peer_port = next((lst['peer_port'] for lst in listeners
                          if lst.get('peer_port')), DEFAULT_PEER_PORT)
    for pool in pools:
        pool['_mode'] = _pool_mode(pool, listeners)
        pool['_balance'] = _ALGORITHMS[pool['lb_algorithm']]
        hm = pool.get('health_monitor')
        if hm and hm['type'] not in ('HTTP', 'HTTPS', 'TCP', 'PING',
                                     'TLS-HELLO'):
            raise UnsupportedConfig('health monitor type %s' % hm['type'])
        if hm and hm['type'] in ('HTTP', 'HTTPS'):
            hm['_expect'] = _expect(hm.get('expected_codes'))
        sp = pool.get('session_persistence') or None
        pool['_sp'] = dict({'type': None, 'persistence_timeout': None,
                            'cookie_name': None}, **(sp or {}))
        if sp and sp['type'] == 'HTTP_COOKIE' and pool['_mode'] != 'http':
            raise UnsupportedConfig('HTTP_COOKIE persistence needs an HTTP '
                                    'pool (pool %s)' % pool['id'])
        if sp and sp['type'] == 'APP_COOKIE' and not sp.get('cookie_name'):
            raise UnsupportedConfig('APP_COOKIE needs a cookie_name')
    for lst in listeners:
        lst['_mode'] = 'http' if lst['protocol'] in _HTTP_MODES + (
            'PROMETHEUS',) else 'tcp'
        lst['_policies'] = _policies(lst) if lst['protocol'] in _HTTP_MODES \
            else []
        refs = [r for r in [lst.get('default_tls_container_ref')]
                + list(lst.get('sni_container_refs') or []) if r]
        lst['_certs'] = [cert_filename(r) for r in refs]
        if lst['protocol'] == 'TERMINATED_HTTPS' and not refs:
            raise UnsupportedConfig('listener %s has no certificate'
                                    % lst['id'])
        versions = sorted(lst.get('tls_versions') or [])
        lst['_ssl_min'] = versions[0] if versions else None
    # Peers only sync stick tables: without one, a peer list would make
    # every cluster change a configuration change on every amphora.
    sticky = any(pool['_sp']['type'] in ('SOURCE_IP', 'APP_COOKIE')
                 for pool in pools)
    peer_list = [{'name': pid, 'address': _addr(ip, peer_port)}
                 for pid, ip in peers] if len(peers) > 1 and sticky else []
    return {'lb': lb, 'vip': vip, 'listeners': listeners, 'pools': pools,
            'amphora_id': amphora_id, 'peers': peer_list,
            'peers_name': 'p_%s' % lb['id'].replace('-', '')[:16],
            'stick_type': _stick_type(vip), 'maxconn': maxconn,
            'enabled': lb.get('enabled', True),
            'probe': _addr(*probe) if probe else None}


_ENV = jinja2.Environment(
    loader=jinja2.PackageLoader('octavia_aa.amphorae.haproxy', 'templates'),
    undefined=jinja2.StrictUndefined, trim_blocks=True, lstrip_blocks=True,
    keep_trailing_newline=True)
_ENV.filters['q'] = quote
_ENV.filters['addr'] = lambda ip, port: _addr(ip, port)
_ENV.filters['cert'] = cert_filename


def render_config(config, amphora_id, peers=(), **kwargs):
    """HAProxy configuration text from an lb_config dict (not mutated)."""
    ctx = build_context(_with_defaults(copy.deepcopy(config)), amphora_id,
                        peers, **kwargs)
    return _ENV.get_template('haproxy.cfg.j2').render(**ctx)


def render(lb, amphora, cluster_amphorae=(), **kwargs):
    """From the ORM load balancer; cluster_amphorae are the amphorae of
    the cluster (ALLOCATED ones) from which the peer group is chosen."""
    from octavia_aa.controller.worker import lb_config
    amps = {a.id: a for a in cluster_amphorae}
    amps[amphora.id] = amphora
    group = peers_mod.group_of(amphora.id, list(amps.values()))
    peers = [(a.id, a.lb_network_ip) for a in group]
    return render_config(lb_config.build(lb), amphora.id, peers, **kwargs)
