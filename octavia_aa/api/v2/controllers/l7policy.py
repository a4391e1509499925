"""/v2/lbaas/l7policies."""
import pecan
from sqlalchemy import orm

from octavia_aa.api import fields as f
from octavia_aa.api import validate
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import l7_order
from octavia_aa.db import models as m

FIELDS = f.common() + [
    f.Field('listener_id', 'uuid', put=False, required=True),
    f.Field('action', 'enum', choices=c.L7POLICY_ACTIONS, required=True,
            nullable=False),
    f.Field('position', 'int', minimum=1, maximum=2147483647),
    f.Field('redirect_pool_id', 'uuid'),
    f.Field('redirect_url', max_length=2048, check=validate.url),
    f.Field('redirect_prefix', max_length=2048, check=validate.url),
    f.Field('redirect_http_code', 'enum', choices=c.REDIRECT_HTTP_CODES),
    f.Field('rules', read_only=True, render=f.ids('rules')),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.L7Policy, 'l7policy', 'l7policies', 'L7 Policy',
                 'l7policy', FIELDS,
                 load=[orm.selectinload(m.L7Policy.rules).load_only(
                     m.L7Rule.id)])

_NEEDS = {'REDIRECT_TO_POOL': 'redirect_pool_id',
          'REDIRECT_TO_URL': 'redirect_url',
          'REDIRECT_PREFIX': 'redirect_prefix'}
REDIRECTS = tuple(_NEEDS.values())
# What an action clears, as upstream (a pool with a prefix stays a 400).
_CLEARS = {'REJECT': REDIRECTS,
           'REDIRECT_TO_URL': ('redirect_pool_id', 'redirect_prefix'),
           'REDIRECT_TO_POOL': ('redirect_url',),
           'REDIRECT_PREFIX': ('redirect_url',)}


def sanitize(values):
    """Upstream's sanitize_l7policy_api_args on the request's values: the
    action needs its own redirect field, the other actions' fields are
    dropped, a pool with a URL or prefix is refused, and a redirect field
    sent without an action implies its action.  Upstream lets a
    REJECT with a redirect_prefix, or a REDIRECT_PREFIX with a
    redirect_url, silently become another action: here the action sent is
    kept and the other field dropped."""
    action = values.get('action')
    if action is not None:
        needed = _NEEDS.get(action)
        if needed and not values.get(needed):
            raise exceptions.InvalidInput(
                needed, values.get(needed), 'It must not be None with '
                                            'action %s.' % action)
        for key in _CLEARS[action]:
            values[key] = None
    if values.get('redirect_pool_id') and (values.get('redirect_url') or
                                           values.get('redirect_prefix')):
        raise exceptions.ValidationError(
            'Cannot specify redirect_pool_id and redirect_url or '
            'redirect_prefix at the same time')
    for key, kind in (('redirect_pool_id', 'REDIRECT_TO_POOL'),
                      ('redirect_url', 'REDIRECT_TO_URL'),
                      ('redirect_prefix', 'REDIRECT_PREFIX')):
        if values.get(key):
            values['action'] = kind
            for other in REDIRECTS:
                if other != key:
                    values[other] = None
            if kind == 'REDIRECT_TO_POOL':
                values['redirect_http_code'] = None
            elif not values.get('redirect_http_code'):
                values['redirect_http_code'] = 302
    return values


def _check_pool(session, listener, pool_id):
    if not pool_id:
        return
    pool = session.get(m.Pool, pool_id)
    if pool is None or pool.load_balancer_id != listener.load_balancer_id \
            or pool.provisioning_status == c.DELETED:
        raise exceptions.NotFound('Pool', pool_id)
    if pool.protocol not in c.LISTENER_POOL_PROTOCOLS[listener.protocol]:
        raise exceptions.ValidationError(
            "The pool protocol '%s' is invalid while the listener protocol "
            "is '%s'." % (pool.protocol, listener.protocol))


class L7PoliciesController(child.ChildController):
    spec = SPEC
    quota_name = 'l7policy'

    def load_balancer_of(self, policy):
        return policy.listener.load_balancer

    def build(self, session, ctx, values):
        listener = child.get_parent(session, m.Listener,
                                    values['listener_id'], 'Listener')
        if listener.protocol == c.PROTOCOL_PROMETHEUS:
            raise exceptions.InvalidInput(
                'listener_id', listener.id, 'Protocol PROMETHEUS listeners '
                                            'cannot have child objects.')
        # Upstream's amphora driver refuses these with a 501; a 400 here.
        if listener.protocol not in (c.PROTOCOL_HTTP,
                                     c.PROTOCOL_TERMINATED_HTTPS):
            raise exceptions.ValidationError(
                '%s protocol listeners do not support L7 policies.'
                % listener.protocol)
        _check_pool(session, listener, values.get('redirect_pool_id'))
        sanitize(values)
        values['position'] = l7_order.next_position(
            session, listener.id, values.get('position'))
        policy = m.L7Policy(**values)
        policy.listener = listener
        return policy

    def check_update(self, session, policy, values):
        if not values:
            raise exceptions.ValidationError(
                'Invalid L7 Policy arguments: Invalid update options')
        sanitize(values)
        _check_pool(session, policy.listener, values.get('redirect_pool_id'))

    def update(self, session, ctx, policy, values):
        # A new position moves the policy and renumbers the others (null:
        # stays where it is), as upstream's repository does.
        old = policy.position
        if 'position' in values and values['position'] is None:
            values['position'] = old
        super().update(session, ctx, policy, values)
        if policy.position != old:
            l7_order.renumber(session, policy.listener_id, policy,
                              policy.position)

    @pecan.expose()
    def _lookup(self, policy_id, *remainder):
        if remainder and remainder[0] == 'rules':
            from octavia_aa.api.v2.controllers import l7rule
            return l7rule.L7RulesController(policy_id), remainder[1:]
        self.unrouted(remainder)
