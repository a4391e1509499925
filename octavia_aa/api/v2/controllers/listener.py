"""/v2/lbaas/listeners."""
import pecan
from sqlalchemy import orm

from octavia_aa.api import fields as f
from octavia_aa.api import support
from octavia_aa.api import validate
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.api.v2.controllers import load_balancer
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db import models as m
from octavia_aa.db.queries import listener as listener_q

# Upstream's MAX_TIMEOUT: 24 days in milliseconds.
_TIMEOUT = dict(minimum=0, maximum=24 * 24 * 60 * 60 * 1000)
TLS_PROTOCOLS = (c.PROTOCOL_TERMINATED_HTTPS,)
HEADER_PROTOCOLS = (c.PROTOCOL_HTTP, c.PROTOCOL_TERMINATED_HTTPS)
# Upstream: listeners on one load balancer may share a port only when
# their layer-4 protocols differ.
L4_PROTOCOL = {c.PROTOCOL_TCP: 'TCP', c.PROTOCOL_HTTP: 'TCP',
               c.PROTOCOL_HTTPS: 'TCP', c.PROTOCOL_TERMINATED_HTTPS: 'TCP',
               c.PROTOCOL_PROMETHEUS: 'TCP', c.PROTOCOL_UDP: 'UDP',
               c.PROTOCOL_SCTP: 'SCTP'}


def _insert_headers(field, value):
    for key, val in (value or {}).items():
        if not isinstance(val, str) or len(val) > 255:
            validate.bad('%s.%s' % (field.name, key), val,
                         'Value should be a string of at most 255 '
                         'characters.')
    return value


FIELDS = f.common() + [
    f.Field('protocol', 'enum', choices=c.LISTENER_PROTOCOLS, put=False,
            required=True),
    f.Field('protocol_port', 'int', minimum=1, maximum=65535, put=False,
            required=True),
    f.Field('connection_limit', 'int', minimum=-1, default=-1,
            nullable=False),
    f.Field('default_pool_id', 'uuid', default=None),
    f.Field('default_tls_container_ref', max_length=255, default=None),
    f.Field('sni_container_refs', 'str_list', default=list,
            check=validate.items(255)),
    f.Field('client_ca_tls_container_ref', default=None),
    f.Field('client_authentication', 'enum', choices=c.CLIENT_AUTH_MODES,
            default='NONE', nullable=False),
    f.Field('client_crl_container_ref', default=None),
    f.Field('insert_headers', 'dict', default=dict, check=_insert_headers),
    f.Field('timeout_client_data', 'int', default=50000, **_TIMEOUT),
    f.Field('timeout_member_connect', 'int', default=5000, **_TIMEOUT),
    f.Field('timeout_member_data', 'int', default=50000, **_TIMEOUT),
    f.Field('timeout_tcp_inspect', 'int', default=0, **_TIMEOUT),
    f.Field('allowed_cidrs', 'str_list', default=list,
            check=validate.items(kind='cidr')),
    f.Field('tls_ciphers', max_length=2048, default=None,
            check=validate.ciphers),
    # No POST default: upstream checks the lists only when they are sent.
    f.Field('tls_versions', 'str_list', check=validate.items(32)),
    f.Field('alpn_protocols', 'str_list',
            check=validate.items(choices=validate.ALPN_PROTOCOLS)),
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


def check_default_pool(session, listener_lb_id, protocol, pool_id):
    if pool_id is None:
        return
    if protocol == c.PROTOCOL_PROMETHEUS:
        raise exceptions.InvalidInput(
            'default_pool_id', pool_id, 'Protocol PROMETHEUS listeners '
                                        'cannot have child objects.')
    pool = session.get(m.Pool, pool_id)
    if pool is None or pool.load_balancer_id != listener_lb_id or \
            pool.provisioning_status == c.DELETED:
        raise exceptions.NotFound('Pool', pool_id)
    # A pool may be the default pool of several listeners, as upstream.
    if pool.protocol not in c.LISTENER_POOL_PROTOCOLS[protocol]:
        raise exceptions.ValidationError(
            "The pool protocol '%s' is invalid while the listener protocol "
            "is '%s'." % (pool.protocol, protocol))


def _has_tls_refs(values):
    return bool(values.get('default_tls_container_ref') or
                values.get('client_ca_tls_container_ref') or
                values.get('sni_container_refs'))


def _check_insert_headers(headers, protocol):
    if not headers:
        return
    if protocol not in HEADER_PROTOCOLS:
        raise exceptions.InvalidInput(
            'insert_headers', headers, 'insert-headers is not a valid option '
                                       'for a %s protocol listener.'
                                       % protocol)
    unknown = sorted(set(headers) - set(validate.HTTP_HEADERS +
                                        validate.SSL_HEADERS))
    if unknown:
        raise exceptions.InvalidInput(
            'insert_headers', unknown, 'Unsupported header(s); supported: '
            '%s' % ', '.join(validate.HTTP_HEADERS + validate.SSL_HEADERS))
    ssl = sorted(set(headers) & set(validate.SSL_HEADERS))
    if ssl and protocol != c.PROTOCOL_TERMINATED_HTTPS:
        raise exceptions.InvalidInput(
            'insert_headers', ssl, 'SSL headers are only valid on '
                                   'TERMINATED_HTTPS listeners, not on %s '
                                   'protocol listeners.' % protocol)


def _check_cidrs(lb, cidrs):
    if not cidrs:
        return
    if lb.vip.sg_ids:
        raise exceptions.ValidationError(
            'Allowed CIDRs are not allowed when using custom VIP Security '
            'Groups.')
    validate.ip_family_matches('allowed_cidrs', cidrs, lb.vip.ip_address)


def _check_create(values, lb):
    """Upstream's _validate_create_listener, in its order."""
    protocol = values['protocol']
    tls_refs = _has_tls_refs(values)
    can_tls = protocol in TLS_PROTOCOLS or (
        protocol == c.PROTOCOL_PROMETHEUS and tls_refs)
    _check_insert_headers(values.get('insert_headers'), protocol)
    if not can_tls and tls_refs:
        raise exceptions.ValidationError(
            'Certificate container references are not allowed on %s '
            'protocol listeners.' % protocol)
    certs = values.get('default_tls_container_ref') or values.get(
        'sni_container_refs')
    if values.get('client_ca_tls_container_ref') and not certs:
        raise exceptions.ValidationError(
            'An SNI or default certificate container reference must be '
            'provided with a client CA container reference.')
    if can_tls and not certs:
        raise exceptions.ValidationError(
            'An SNI or default certificate container reference must be '
            'provided for %s protocol listeners.' % protocol)
    if values.get('client_authentication', 'NONE') != 'NONE' and not \
            values.get('client_ca_tls_container_ref'):
        raise exceptions.InvalidInput(
            'client_authentication', values['client_authentication'],
            'It requires a client CA container reference.')
    if values.get('client_crl_container_ref') and not values.get(
            'client_ca_tls_container_ref'):
        raise exceptions.ValidationError(
            'A client authentication CA reference is required to specify a '
            'client authentication revocation list.')
    _check_cidrs(lb, values.get('allowed_cidrs'))
    if can_tls:
        validate.tls_versions(values.get('tls_versions'))
        validate.alpn_protocols(values.get('alpn_protocols'))
    _check_hsts(values, protocol, values.get('hsts_max_age'))


def _check_hsts(values, protocol, max_age_before):
    """check_hsts_options(_put): the two flags need a max age (sent now or
    stored), and HSTS is for TERMINATED_HTTPS only."""
    if (values.get('hsts_include_subdomains') or values.get(
            'hsts_preload')) and max_age_before is None and \
            values.get('hsts_max_age') is None:
        raise exceptions.ValidationError(
            'HSTS configuration options hsts_include_subdomains and '
            'hsts_preload only make sense if hsts_max_age is set as well.')
    if values.get('hsts_max_age') is not None and \
            protocol != c.PROTOCOL_TERMINATED_HTTPS:
        raise exceptions.InvalidInput(
            'hsts_max_age', values['hsts_max_age'], 'The HSTS feature can '
            'only be used for listeners using the TERMINATED_HTTPS '
            'protocol.')


def _check_update(values, listener):
    """Upstream's _validate_listener_PUT."""
    protocol = listener.protocol
    tls_refs = _has_tls_refs(values)
    can_tls = protocol in TLS_PROTOCOLS or (
        protocol == c.PROTOCOL_PROMETHEUS and tls_refs)
    if not can_tls and tls_refs:
        raise exceptions.ValidationError(
            'Certificate container references are not allowed on %s '
            'protocol listeners.' % protocol)
    ca_ref = values.get('client_ca_tls_container_ref') or \
        listener.client_ca_tls_container_ref
    if values.get('client_authentication') not in (None, 'NONE') and \
            not ca_ref:
        raise exceptions.InvalidInput(
            'client_authentication', values['client_authentication'],
            'It requires a client CA container reference.')
    _check_insert_headers(values.get('insert_headers'), protocol)
    crl_ref = values.get('client_crl_container_ref') or \
        listener.client_crl_container_ref
    if crl_ref and not ca_ref:
        raise exceptions.ValidationError(
            'A client authentication CA reference is required to specify a '
            'client authentication revocation list.')
    _check_cidrs(listener.load_balancer, values.get('allowed_cidrs'))
    if 'tls_versions' in values:
        validate.tls_versions(values['tls_versions'])
    if 'alpn_protocols' in values:
        validate.alpn_protocols(values['alpn_protocols'])
    _check_hsts(values, protocol, listener.hsts_max_age)


TLS_REFS = ('default_tls_container_ref', 'sni_container_refs',
            'client_ca_tls_container_ref', 'client_crl_container_ref')


class ListenersController(child.ChildController):
    spec = SPEC
    quota_name = 'listener'

    def load_balancer_of(self, listener):
        return listener.load_balancer

    def build(self, session, ctx, values):
        lb = child.get_parent(session, m.LoadBalancer,
                              values['load_balancer_id'], 'Load Balancer')
        support.check_listener_protocol(lb.topology, values['protocol'])
        support.check_certificates(values, TLS_REFS)
        check_default_pool(session, lb.id, values['protocol'],
                           values.get('default_pool_id'))
        _check_create(values, lb)
        # Any listener not DELETED holds its port, PENDING_* ones too; a
        # DELETED row not purged yet still holds it for its own protocol
        # (the unique constraint), so that is a 409 too, not a 500.
        l4 = L4_PROTOCOL[values['protocol']]
        dup = listener_q.on_port(session, lb.id, values['protocol_port'])
        for other in dup:
            if other.protocol == values['protocol'] or (
                    L4_PROTOCOL[other.protocol] == l4 and
                    other.provisioning_status != c.DELETED):
                raise exceptions.Conflict(
                    'Another Listener on this Load Balancer is already using '
                    'protocol %s and protocol_port %s.'
                    % (other.protocol, values['protocol_port']))
        listener = m.Listener(**values)
        listener.load_balancer = lb
        return listener

    def check_update(self, session, listener, values):
        _check_update(values, listener)
        support.check_certificates(values, TLS_REFS)
        if values.get('default_pool_id'):
            check_default_pool(session, listener.load_balancer_id,
                               listener.protocol, values['default_pool_id'])
        for key in ('tls_versions', 'alpn_protocols'):
            if key in values and values[key] is None:
                values[key] = []

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
