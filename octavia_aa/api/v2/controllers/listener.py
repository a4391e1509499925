"""/v2/lbaas/listeners."""
import pecan
import sqlalchemy as sa
from sqlalchemy import orm

from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.api.v2.controllers import load_balancer
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db import models as m

_TIMEOUT = dict(minimum=0, maximum=24 * 60 * 60 * 1000)

FIELDS = f.common() + [
    f.Field('protocol', 'enum', choices=c.LISTENER_PROTOCOLS, put=False,
            required=True),
    f.Field('protocol_port', 'int', minimum=1, maximum=65535, put=False,
            required=True),
    f.Field('connection_limit', 'int', minimum=-1, default=-1,
            nullable=False),
    f.Field('default_pool_id', 'uuid', default=None),
    f.Field('default_tls_container_ref', max_length=255, default=None),
    f.Field('sni_container_refs', 'str_list', default=list),
    f.Field('client_ca_tls_container_ref', default=None),
    f.Field('client_authentication', 'enum', choices=c.CLIENT_AUTH_MODES,
            default='NONE', nullable=False),
    f.Field('client_crl_container_ref', default=None),
    f.Field('insert_headers', 'dict', default=dict),
    f.Field('timeout_client_data', 'int', default=50000, **_TIMEOUT),
    f.Field('timeout_member_connect', 'int', default=5000, **_TIMEOUT),
    f.Field('timeout_member_data', 'int', default=50000, **_TIMEOUT),
    f.Field('timeout_tcp_inspect', 'int', default=0, **_TIMEOUT),
    f.Field('allowed_cidrs', 'str_list', default=list),
    f.Field('tls_ciphers', max_length=2048, default=None),
    f.Field('tls_versions', 'str_list', default=list),
    f.Field('alpn_protocols', 'str_list', default=list),
    f.Field('hsts_max_age', 'int', minimum=0, default=None),
    f.Field('hsts_include_subdomains', 'bool', default=False),
    f.Field('hsts_preload', 'bool', default=False),
    f.Field('loadbalancer_id', 'uuid', attr='load_balancer_id', put=False,
            required=True),
    f.Field('loadbalancers', read_only=True,
            render=lambda li: [{'id': li.load_balancer_id}]),
    f.Field('l7policies', read_only=True, render=f.ids('l7policies')),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.Listener, 'listener', 'listeners', 'Listener',
                 'listener', FIELDS,
                 load=[orm.selectinload(m.Listener.l7policies)
                       .load_only(m.L7Policy.id)])


def check_default_pool(session, listener_lb_id, protocol, pool_id,
                       listener_id=None):
    if pool_id is None:
        return
    pool = session.get(m.Pool, pool_id)
    if pool is None or pool.load_balancer_id != listener_lb_id:
        raise exceptions.NotFound('Pool', pool_id)
    if pool.protocol not in c.LISTENER_POOL_PROTOCOLS[protocol]:
        raise exceptions.ValidationError(
            'The pool protocol "%s" is invalid while the listener protocol '
            'is "%s".' % (pool.protocol, protocol))
    other = [li.id for li in pool.listeners if li.id != listener_id]
    if other:
        raise exceptions.Conflict('Pool %s is already the default pool of '
                                  'listener %s.' % (pool_id, other[0]))


class ListenersController(child.ChildController):
    spec = SPEC
    quota_name = 'listener'

    def load_balancer_of(self, listener):
        return listener.load_balancer

    def _check_tls(self, values):
        if values.get('protocol') == c.PROTOCOL_TERMINATED_HTTPS and not \
                values.get('default_tls_container_ref'):
            raise exceptions.ValidationError(
                'An SNI or default certificate container reference must be '
                'provided for TERMINATED_HTTPS listeners.')
        if values.get('protocol') not in (None, c.PROTOCOL_TERMINATED_HTTPS):
            for key in ('default_tls_container_ref', 'client_ca_tls_'
                        'container_ref'):
                if values.get(key):
                    raise exceptions.InvalidInput(
                        key, values[key], 'Only TERMINATED_HTTPS listeners '
                                          'take certificates.')

    def build(self, session, ctx, values):
        lb = child.get_parent(session, m.LoadBalancer,
                              values['load_balancer_id'], 'Load Balancer')
        self._check_tls(values)
        check_default_pool(session, lb.id, values['protocol'],
                           values.get('default_pool_id'))
        dup = session.scalar(sa.select(m.Listener.id).where(
            m.Listener.load_balancer_id == lb.id,
            m.Listener.protocol_port == values['protocol_port'],
            m.Listener.protocol == values['protocol']))
        if dup:
            raise exceptions.Conflict(
                'Another Listener on this Load Balancer is already using '
                'protocol %s and protocol_port %s.'
                % (values['protocol'], values['protocol_port']))
        listener = m.Listener(**values)
        listener.load_balancer = lb
        return listener

    def check_update(self, session, listener, values):
        self._check_tls(dict(values, protocol=listener.protocol))
        if 'default_pool_id' in values:
            check_default_pool(session, listener.load_balancer_id,
                               listener.protocol, values['default_pool_id'],
                               listener.id)

    @pecan.expose()
    def _lookup(self, listener_id, *remainder):
        if remainder and remainder[0] == 'stats':
            return ListenerStats(listener_id, 'stats'), remainder[1:]
        self.unrouted(remainder)


class ListenerStats(base.ActionController):
    def get_stats(self, ctx):
        with db_api.session_scope(readonly=True) as session:
            ListenersController().find(session, self.obj_id, ctx,
                                       'get_stats')
            return load_balancer.stats_of(session, [self.obj_id])
