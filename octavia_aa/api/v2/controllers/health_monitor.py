"""/v2/lbaas/healthmonitors."""
import re

from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m

HTTP_TYPES = ('HTTP', 'HTTPS')
_CODES = re.compile('[0-9]{3}( *, *[0-9]{3})*|[0-9]{3}-[0-9]{3}', re.ASCII)
HTTP_FIELDS = ('http_method', 'url_path', 'expected_codes', 'http_version',
               'domain_name')

FIELDS = f.common(description=False) + [
    f.Field('pool_id', 'uuid', put=False, required=True),
    f.Field('type', 'enum', choices=c.HEALTH_MONITOR_TYPES, put=False,
            required=True),
    f.Field('delay', 'int', minimum=0, maximum=2147483647, required=True,
            nullable=False),
    f.Field('timeout', 'int', minimum=0, maximum=2147483647, required=True,
            nullable=False),
    f.Field('max_retries', 'int', minimum=1, maximum=10, required=True,
            nullable=False),
    f.Field('max_retries_down', 'int', minimum=1, maximum=10, default=3,
            nullable=False),
    f.Field('http_method', 'enum', choices=c.HTTP_METHODS),
    f.Field('url_path', max_length=2048),
    f.Field('expected_codes', max_length=64),
    f.Field('http_version', 'enum', choices=c.HTTP_VERSIONS),
    f.Field('domain_name', max_length=255),
    f.Field('pools', read_only=True, render=lambda h: [{'id': h.pool_id}]),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.HealthMonitor, 'healthmonitor', 'healthmonitors',
                 'Health Monitor', 'healthmonitor', FIELDS,
                 rpc_name='health_monitor')


def _check(kind, values, current=None):
    merged = dict(current or {}, **values)
    if merged.get('timeout') is not None and merged.get('delay') is not None \
            and merged['timeout'] > merged['delay']:
        raise exceptions.InvalidInput(
            'timeout', merged['timeout'],
            'The timeout must not be greater than the delay (%s).'
            % merged['delay'])
    if kind not in HTTP_TYPES:
        for key in HTTP_FIELDS:
            if values.get(key) is not None:
                raise exceptions.InvalidInput(
                    key, values[key], 'Only HTTP and HTTPS health monitors '
                                      'take this attribute.')
    url = values.get('url_path')
    if url is not None and not url.startswith('/'):
        raise exceptions.InvalidInput('url_path', url,
                                      'Value should start with "/".')
    codes = values.get('expected_codes')
    if codes is not None:
        # ASCII digits only (str.isdigit takes "²"), and one range at most,
        # low to high: what the HAProxy renderer expands.
        match = _CODES.fullmatch(codes)
        parts = [int(p) for p in re.split('[,-]', codes)] if match else []
        if not parts or not all(100 <= p <= 599 for p in parts) or (
                '-' in codes and parts[0] > parts[1]):
            raise exceptions.InvalidInput(
                'expected_codes', codes, 'Value should be HTTP codes like '
                                         '"200", "200,202" or "200-204".')


class HealthMonitorsController(child.ChildController):
    spec = SPEC
    quota_name = 'health_monitor'

    def load_balancer_of(self, hm):
        return hm.pool.load_balancer

    def build(self, session, ctx, values):
        pool = child.get_parent(session, m.Pool, values['pool_id'], 'Pool')
        if pool.health_monitor is not None:
            raise exceptions.Conflict('Pool %s already has a health monitor '
                                      '%s.' % (pool.id,
                                               pool.health_monitor.id))
        _check(values['type'], values)
        if values['type'] in HTTP_TYPES:
            values.setdefault('http_method', None)
            values['http_method'] = values['http_method'] or 'GET'
            values['url_path'] = values.get('url_path') or '/'
            values['expected_codes'] = values.get('expected_codes') or '200'
        hm = m.HealthMonitor(**values)
        hm.pool = pool
        return hm

    def check_update(self, session, hm, values):
        _check(hm.type, values, {'delay': hm.delay, 'timeout': hm.timeout})
