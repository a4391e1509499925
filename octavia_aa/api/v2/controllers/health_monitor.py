"""/v2/lbaas/healthmonitors."""
from octavia_aa.api import fields as f
from octavia_aa.api import validate
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m

CONF = config.CONF
HTTP_TYPES = ('HTTP', 'HTTPS')
# Upstream refuses these three on other types; http_version and
# domain_name it lets through on any type.
HTTP_FIELDS = ('http_method', 'url_path', 'expected_codes')
_HTTP_DEFAULTS = {'http_method': 'GET', 'url_path': '/',
                  'expected_codes': '200'}
# Pools served by LVS upstream (UDP, SCTP) take only these types.
LVS_TYPES = ('UDP-CONNECT', 'SCTP', 'TCP', 'HTTP')
LVS_PROTOCOLS = (c.PROTOCOL_UDP, c.PROTOCOL_SCTP)

FIELDS = f.common(description=False) + [
    f.Field('pool_id', 'uuid', put=False, required=True),
    f.Field('type', 'enum', choices=c.HEALTH_MONITOR_TYPES, put=False,
            required=True),
    # Upstream has no maximum; ours is the database column's.
    f.Field('delay', 'int', minimum=0, maximum=2147483647, required=True,
            nullable=False),
    f.Field('timeout', 'int', minimum=0, maximum=2147483647, required=True,
            nullable=False),
    f.Field('max_retries', 'int', minimum=1, maximum=10, required=True,
            nullable=False),
    f.Field('max_retries_down', 'int', minimum=1, maximum=10, default=3,
            nullable=False),
    f.Field('http_method', 'enum', choices=c.HTTP_METHODS),
    f.Field('url_path', max_length=2048, check=validate.url_path),
    f.Field('expected_codes', max_length=64,
            pattern=validate.EXPECTED_CODES_RE.pattern),
    f.Field('http_version', 'enum', choices=c.HTTP_VERSIONS),
    f.Field('domain_name', max_length=255,
            check=validate.matches(validate.DOMAIN_NAME_RE,
                                   'Value should be a domain name.')),
    f.Field('pools', read_only=True, render=lambda h: [{'id': h.pool_id}]),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.HealthMonitor, 'healthmonitor', 'healthmonitors',
                 'Health Monitor', 'healthmonitor', FIELDS,
                 rpc_name='health_monitor')


def _check_pool_protocol(kind, delay, pool):
    """Upstream's type/pool-protocol rules and the UDP-CONNECT minimum
    delay (a delay equal to the minimum is accepted)."""
    if pool.protocol in LVS_PROTOCOLS:
        if kind not in LVS_TYPES:
            raise exceptions.InvalidInput(
                'type', kind, 'The associated pool protocol is %s, so only '
                'a %s health monitor is supported.'
                % (pool.protocol, '/'.join(LVS_TYPES)))
        minimum = CONF.api_settings.udp_connect_min_interval_health_monitor
        if kind == 'UDP-CONNECT' and delay is not None and \
                minimum >= 0 and delay < minimum:
            raise exceptions.InvalidInput(
                'delay', delay, 'The request delay value %s should be larger '
                'than %s for UDP-CONNECT health monitor type.'
                % (delay, minimum))
    elif kind in ('UDP-CONNECT', 'SCTP'):
        raise exceptions.InvalidInput(
            'type', kind, 'The %s type is only supported for pools of type '
            'UDP/SCTP.' % kind)


def _http_defaults(values, keys=tuple(_HTTP_DEFAULTS)):
    """Put the HTTP monitor defaults in place of what is null among
    `keys` (POST: all of them; PUT: those the client sent)."""
    for key in keys:
        if key in _HTTP_DEFAULTS and values.get(key) is None:
            values[key] = _HTTP_DEFAULTS[key]


def _check_domain(values, current=None):
    current = current or {}
    domain = values.get('domain_name') or current.get('domain_name')
    version = values.get('http_version') or current.get('http_version')
    if values.get('domain_name') and not version:
        raise exceptions.InvalidInput(
            'http_version', None, "'http_version' must be specified when "
                                  "'domain_name' is provided.")
    if domain and version and version < 1.1:
        raise exceptions.InvalidInput(
            'http_version', version, 'A domain name health check needs '
                                     'HTTP 1.1.')


class HealthMonitorsController(child.ChildController):
    spec = SPEC
    quota_name = 'health_monitor'

    def load_balancer_of(self, hm):
        return hm.pool.load_balancer

    def build(self, session, ctx, values):
        pool = child.get_parent(session, m.Pool, values['pool_id'], 'Pool')
        kind = values['type']
        if kind == 'PING' and not CONF.api_settings.allow_ping_health_monitors:
            raise exceptions.InvalidInput(
                'type', kind, 'The selected type is not allowed in this '
                              'deployment: PING')
        _check_pool_protocol(kind, values['delay'], pool)
        if kind in HTTP_TYPES:
            _http_defaults(values)
        else:
            for key in HTTP_FIELDS:
                if values.get(key):
                    raise exceptions.InvalidInput(
                        key, values[key], 'It is not a valid option for '
                                          'health monitors of type %s.'
                                          % kind)
        _check_domain(values)
        if pool.health_monitor is not None:
            raise exceptions.Conflict('Pool %s already has a health monitor '
                                      '%s.' % (pool.id,
                                               pool.health_monitor.id))
        hm = m.HealthMonitor(**values)
        hm.pool = pool
        return hm

    def check_update(self, session, hm, values):
        if hm.type in HTTP_TYPES:
            # A null (unset) goes back to the default, as upstream's.
            _http_defaults(values, list(values))
        else:
            # Upstream refuses these on PUT even when null.
            for key in HTTP_FIELDS:
                if key in values:
                    raise exceptions.InvalidInput(
                        key, values[key], 'It is not a valid option for '
                                          'health monitors of type %s.'
                                          % hm.type)
        _check_domain(values, {'domain_name': hm.domain_name,
                               'http_version': hm.http_version})
        if hm.pool.protocol in LVS_PROTOCOLS:
            _check_pool_protocol(hm.type, values.get('delay'), hm.pool)
