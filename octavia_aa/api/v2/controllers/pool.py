"""/v2/lbaas/pools."""
import ipaddress

import pecan
from sqlalchemy import orm

from octavia_aa.api import fields as f
from octavia_aa.api import support
from octavia_aa.api import validate
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m
from octavia_aa.db.queries import l7 as l7_q
from octavia_aa.db.queries import pool as pool_q

SP = 'session_persistence'
SP_KEYS = ('type', 'cookie_name', 'persistence_timeout',
           'persistence_granularity')
LVS_PROTOCOLS = (c.PROTOCOL_UDP, c.PROTOCOL_SCTP)


def _sp_type(value, stored):
    """The SessionPersistencePOST/PUT types: known keys and their types
    (on PUT the type may be left out and is then the stored one)."""
    unknown = sorted(set(value) - set(SP_KEYS))
    if unknown:
        validate.bad('%s.%s' % (SP, unknown[0]), value[unknown[0]],
                     'Unknown attribute.')
    kind = value.get('type')
    if kind is None and stored:
        kind = stored.get('type')
    if kind not in c.SESSION_PERSISTENCE_TYPES:
        validate.bad(SP + '.type', kind, 'Value should be one of: %s'
                     % ', '.join(c.SESSION_PERSISTENCE_TYPES))
    cookie = value.get('cookie_name')
    if cookie is not None and (not isinstance(cookie, str) or len(
            cookie) > 255 or not validate.COOKIE_NAME_RE.search(cookie)):
        validate.bad(SP + '.cookie_name', cookie,
                     'Value should match the pattern %s'
                     % validate.COOKIE_NAME_RE.pattern)
    timeout = value.get('persistence_timeout')
    # Upstream takes any integer; a negative timeout is refused here.
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(
            timeout, int) or timeout < 0):
        validate.bad(SP + '.persistence_timeout', timeout,
                     'Value should be an integer >= 0.')
    granularity = value.get('persistence_granularity')
    if granularity is not None:
        try:
            if not isinstance(granularity, str) or '%' in granularity:
                raise ValueError(granularity)
            ipaddress.ip_address(granularity)
        except ValueError:
            validate.bad(SP + '.persistence_granularity', granularity,
                         'Value should be IPv4 or IPv6 format')
    return {'type': kind, 'cookie_name': cookie,
            'persistence_timeout': timeout,
            'persistence_granularity': granularity}


COOKIE_TYPES = ('HTTP_COOKIE', 'APP_COOKIE')
# Pools HAProxy always serves in TCP mode (PROXY pools take the mode of
# their listener).
TCP_MODE_PROTOCOLS = (c.PROTOCOL_TCP, c.PROTOCOL_HTTPS)


def _session_persistence(value, protocol, stored=None):
    """Upstream's UDP/SCTP rules and check_session_persistence."""
    if value is None:
        return None
    sp = _sp_type(value, stored)
    kind, cookie = sp['type'], sp['cookie_name']
    if protocol in LVS_PROTOCOLS:
        if kind == 'SOURCE_IP' and cookie:
            raise exceptions.ValidationError(
                'session_persistence SOURCE_IP type for UDP and SCTP '
                'protocols only accepts: type, persistence_timeout, '
                'persistence_granularity.')
        if cookie:
            raise exceptions.ValidationError(
                'Cookie names are not supported for UDP/SCTP pools.')
        if kind in ('HTTP_COOKIE', 'APP_COOKIE'):
            raise exceptions.ValidationError(
                'Session persistence of type %s is not supported for '
                'UDP/SCTP protocol pools.' % kind)
    elif sp['persistence_timeout'] or sp['persistence_granularity']:
        raise exceptions.ValidationError(
            'persistence_timeout and persistence_granularity is only for '
            'UDP and SCTP protocol pools.')
    if cookie:
        if kind != 'APP_COOKIE':
            validate.bad(SP + '.cookie_name', cookie,
                         'Field "cookie_name" can only be specified with '
                         'session persistence of type "APP_COOKIE".')
        if validate.BAD_COOKIE_NAME_RE.search(cookie):
            validate.bad(SP + '.cookie_name', cookie,
                         'Supplied "cookie_name" is invalid.')
    if kind == 'APP_COOKIE' and not cookie:
        validate.bad(SP + '.cookie_name', cookie,
                     'Field "cookie_name" must be specified when using the '
                     '"APP_COOKIE" session persistence type.')
    # Upstream accepts these and HAProxy, in TCP mode, ignores the cookie
    # statement: the persistence asked for would silently not happen.
    if kind in COOKIE_TYPES and protocol in TCP_MODE_PROTOCOLS:
        raise exceptions.InvalidInput(
            SP + '.type', kind, 'Cookies are read in HTTP mode only: '
            '%s pools are served in TCP mode, so %s persistence would not '
            'happen (use SOURCE_IP, or an HTTP pool).' % (protocol, kind))
    return sp


def _check_tls(values, pool=None):
    """Upstream's _validate_create_pool / _validate_pool_PUT TLS rules."""
    def now(key):
        if key in values:
            return values[key]
        return getattr(pool, key) if pool is not None else None
    crl, ca = now('crl_container_ref'), now('ca_tls_container_ref')
    if crl and not ca:
        if pool is not None and pool.ca_tls_container_ref and \
                'ca_tls_container_ref' in values:
            raise exceptions.ValidationError(
                'A CA reference cannot be removed when a certificate '
                'revocation list is present.')
        raise exceptions.ValidationError(
            'A CA certificate reference is required to specify a '
            'revocation list.')
    if pool is None:
        if values.get('tls_enabled'):
            validate.tls_versions(values.get('tls_versions'))
            validate.alpn_protocols(values.get('alpn_protocols'))
        return
    for key, check in (('tls_versions', validate.tls_versions),
                       ('alpn_protocols', validate.alpn_protocols)):
        if key in values:
            check(values[key])
            if values[key] is None:
                values[key] = []


def _pool_listeners(pool):
    return [{'id': li.id} for li in pool.listeners]


FIELDS = f.common() + [
    f.Field('protocol', 'enum', choices=c.POOL_PROTOCOLS, put=False,
            required=True),
    f.Field('lb_algorithm', 'enum', choices=c.LB_ALGORITHMS, required=True,
            nullable=False),
    f.Field('session_persistence', 'dict', default=None),
    f.Field('tls_enabled', 'bool', default=False, nullable=False),
    f.Field('tls_container_ref', default=None),
    f.Field('ca_tls_container_ref', default=None),
    f.Field('crl_container_ref', default=None),
    f.Field('tls_ciphers', max_length=2048, default=None,
            check=validate.ciphers),
    # No POST default: upstream checks the lists only when they are sent.
    f.Field('tls_versions', 'str_list', check=validate.items(32)),
    f.Field('alpn_protocols', 'str_list',
            check=validate.items(choices=validate.ALPN_PROTOCOLS)),
    f.Field('loadbalancer_id', 'uuid', attr='load_balancer_id', put=False),
    f.Field('listener_id', 'uuid', attr='listener_id', put=False,
            render=lambda p: p.listeners[0].id if p.listeners else None),
    f.Field('loadbalancers', read_only=True,
            render=lambda p: [{'id': p.load_balancer_id}]),
    f.Field('listeners', read_only=True, render=_pool_listeners),
    f.Field('members', read_only=True, render=f.ids('members')),
    # Filterable, as upstream's (it joins the health monitor).
    f.Field('healthmonitor_id', read_only=True,
            render=lambda p: p.health_monitor.id if p.health_monitor
            else None,
            filter_column=pool_q.health_monitor_id_column()),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.Pool, 'pool', 'pools', 'Pool', 'pool', FIELDS,
                 load=[orm.selectinload(m.Pool.members).load_only(
                           m.Member.id),
                       orm.selectinload(m.Pool.listeners).load_only(
                           m.Listener.id),
                       orm.selectinload(m.Pool.health_monitor).load_only(
                           m.HealthMonitor.id)])


TLS_REFS = ('tls_container_ref', 'ca_tls_container_ref', 'crl_container_ref')


class PoolsController(child.ChildController):
    spec = SPEC
    quota_name = 'pool'

    def load_balancer_of(self, pool):
        return pool.load_balancer

    def build(self, session, ctx, values):
        listener_id = values.pop('listener_id', None)
        lb_id = values.get('load_balancer_id')
        if not listener_id and not lb_id:
            raise exceptions.ValidationError(
                'loadbalancer_id or listener_id must be specified.')
        listener = None
        if listener_id:
            listener = child.get_parent(session, m.Listener, listener_id,
                                        'Listener')
            if lb_id and lb_id != listener.load_balancer_id:
                raise exceptions.ValidationError(
                    'Listener %s is not on load balancer %s.'
                    % (listener_id, lb_id))
            if listener.protocol == c.PROTOCOL_PROMETHEUS:
                raise exceptions.InvalidInput(
                    'listener_id', listener_id, 'Protocol PROMETHEUS '
                    'listeners cannot have child objects.')
            if values['protocol'] not in c.LISTENER_POOL_PROTOCOLS[
                    listener.protocol]:
                raise exceptions.ValidationError(
                    "The pool protocol '%s' is invalid while the listener "
                    "protocol is '%s'." % (values['protocol'],
                                           listener.protocol))
            if listener.default_pool_id:
                raise exceptions.Conflict(
                    'Listener %s already has default pool %s.'
                    % (listener_id, listener.default_pool_id))
            lb_id = listener.load_balancer_id
        lb = child.get_parent(session, m.LoadBalancer, lb_id,
                              'Load Balancer')
        support.check_pool_protocol(lb.topology, values['protocol'])
        support.check_pool_algorithm(values['protocol'],
                                     values.get('lb_algorithm'))
        support.check_certificates(values, TLS_REFS)
        values['load_balancer_id'] = lb.id
        values['session_persistence'] = _session_persistence(
            values.get('session_persistence'), values['protocol'])
        _check_tls(values)
        pool = m.Pool(**values)
        pool.load_balancer = lb
        if listener is not None:
            pool.listeners.append(listener)
        return pool

    def check_update(self, session, pool, values):
        if 'lb_algorithm' in values:
            support.check_pool_algorithm(pool.protocol, values['lb_algorithm'])
        support.check_certificates(values, TLS_REFS)
        if 'session_persistence' in values:
            values['session_persistence'] = _session_persistence(
                values['session_persistence'], pool.protocol,
                pool.session_persistence)
        _check_tls(values, pool)

    def remove(self, session, ctx, pool):
        used = l7_q.policy_redirecting_to(session, pool.id)
        if used:
            raise exceptions.Conflict('Pool %s is in use by L7 policy %s'
                                      % (pool.id, used))
        return super().remove(session, ctx, pool)

    @pecan.expose()
    def _lookup(self, pool_id, *remainder):
        if remainder and remainder[0] == 'members':
            from octavia_aa.api.v2.controllers import member
            return member.MembersController(pool_id), remainder[1:]
        self.unrouted(remainder)
