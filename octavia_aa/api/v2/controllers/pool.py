"""/v2/lbaas/pools."""
import pecan
from sqlalchemy import orm

from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m


def _session_persistence(value):
    if value is None:
        return None
    field = 'session_persistence'
    allowed = {'type', 'cookie_name', 'persistence_timeout',
               'persistence_granularity'}
    unknown = sorted(set(value) - allowed)
    if unknown:
        raise exceptions.InvalidInput('%s.%s' % (field, unknown[0]),
                                      value[unknown[0]], 'Unknown attribute.')
    kind = value.get('type')
    if kind not in c.SESSION_PERSISTENCE_TYPES:
        raise exceptions.InvalidInput(
            field + '.type', kind, 'Value should be one of: %s'
            % ', '.join(c.SESSION_PERSISTENCE_TYPES))
    cookie = value.get('cookie_name')
    if kind == 'APP_COOKIE' and not cookie:
        raise exceptions.InvalidInput(
            field + '.cookie_name', cookie,
            'A cookie name is required with APP_COOKIE persistence.')
    if kind != 'APP_COOKIE' and cookie:
        raise exceptions.InvalidInput(
            field + '.cookie_name', cookie,
            'A cookie name is only allowed with APP_COOKIE persistence.')
    if cookie is not None and (not isinstance(cookie, str) or
                               len(cookie) > 255 or ' ' in cookie):
        raise exceptions.InvalidInput(field + '.cookie_name', cookie,
                                      'Value should be a cookie name.')
    timeout = value.get('persistence_timeout')
    if timeout is not None and (isinstance(timeout, bool) or not isinstance(
            timeout, int) or timeout < 0):
        raise exceptions.InvalidInput(field + '.persistence_timeout',
                                      timeout, 'Value should be an integer '
                                               '>= 0.')
    return {'type': kind, 'cookie_name': cookie,
            'persistence_timeout': timeout,
            'persistence_granularity': value.get('persistence_granularity')}


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
    f.Field('tls_ciphers', max_length=2048, default=None),
    f.Field('tls_versions', 'str_list', default=list),
    f.Field('alpn_protocols', 'str_list', default=list),
    f.Field('loadbalancer_id', 'uuid', attr='load_balancer_id', put=False),
    f.Field('listener_id', 'uuid', attr='listener_id', put=False,
            render=lambda p: p.listeners[0].id if p.listeners else None),
    f.Field('loadbalancers', read_only=True,
            render=lambda p: [{'id': p.load_balancer_id}]),
    f.Field('listeners', read_only=True, render=_pool_listeners),
    f.Field('members', read_only=True, render=f.ids('members')),
    f.Field('healthmonitor_id', read_only=True,
            render=lambda p: p.health_monitor.id if p.health_monitor
            else None),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.Pool, 'pool', 'pools', 'Pool', 'pool', FIELDS,
                 load=[orm.selectinload(m.Pool.members).load_only(
                           m.Member.id),
                       orm.selectinload(m.Pool.listeners).load_only(
                           m.Listener.id),
                       orm.selectinload(m.Pool.health_monitor).load_only(
                           m.HealthMonitor.id)])


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
            if listener.default_pool_id:
                raise exceptions.Conflict(
                    'Listener %s already has default pool %s.'
                    % (listener_id, listener.default_pool_id))
            if values['protocol'] not in c.LISTENER_POOL_PROTOCOLS[
                    listener.protocol]:
                raise exceptions.ValidationError(
                    'The pool protocol "%s" is invalid while the listener '
                    'protocol is "%s".' % (values['protocol'],
                                           listener.protocol))
            lb_id = listener.load_balancer_id
        lb = child.get_parent(session, m.LoadBalancer, lb_id,
                              'Load Balancer')
        values['load_balancer_id'] = lb.id
        values['session_persistence'] = _session_persistence(
            values.get('session_persistence'))
        pool = m.Pool(**values)
        pool.load_balancer = lb
        if listener is not None:
            pool.listeners.append(listener)
        return pool

    def check_update(self, session, pool, values):
        if 'session_persistence' in values:
            values['session_persistence'] = _session_persistence(
                values['session_persistence'])

    @pecan.expose()
    def _lookup(self, pool_id, *remainder):
        if remainder and remainder[0] == 'members':
            from octavia_aa.api.v2.controllers import member
            return member.MembersController(pool_id), remainder[1:]
        self.unrouted(remainder)
