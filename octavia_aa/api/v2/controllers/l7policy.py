"""/v2/lbaas/l7policies."""
import pecan
import sqlalchemy as sa
from sqlalchemy import orm

from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m

FIELDS = f.common() + [
    f.Field('listener_id', 'uuid', put=False, required=True),
    f.Field('action', 'enum', choices=c.L7POLICY_ACTIONS, required=True,
            nullable=False),
    f.Field('position', 'int', minimum=1, maximum=2147483647),
    f.Field('redirect_pool_id', 'uuid'),
    f.Field('redirect_url', max_length=2048),
    f.Field('redirect_prefix', max_length=2048),
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


def _check_action(session, listener, merged):
    action = merged['action']
    needed = _NEEDS.get(action)
    if needed and not merged.get(needed):
        raise exceptions.InvalidInput(needed, None,
                                      'It is required with action %s.'
                                      % action)
    for key in _NEEDS.values():
        if key != needed and merged.get(key):
            raise exceptions.InvalidInput(key, merged[key],
                                          'It is not allowed with action %s.'
                                          % action)
    if merged.get('redirect_http_code') and action not in (
            'REDIRECT_TO_URL', 'REDIRECT_PREFIX'):
        raise exceptions.InvalidInput(
            'redirect_http_code', merged['redirect_http_code'],
            'It is only allowed with REDIRECT_TO_URL or REDIRECT_PREFIX.')
    pool_id = merged.get('redirect_pool_id')
    if pool_id:
        pool = session.get(m.Pool, pool_id)
        if pool is None or pool.load_balancer_id != listener.load_balancer_id:
            raise exceptions.NotFound('Pool', pool_id)


class L7PoliciesController(child.ChildController):
    spec = SPEC
    quota_name = 'l7policy'

    def load_balancer_of(self, policy):
        return policy.listener.load_balancer

    def build(self, session, ctx, values):
        listener = child.get_parent(session, m.Listener,
                                    values['listener_id'], 'Listener')
        if listener.protocol not in (c.PROTOCOL_HTTP,
                                     c.PROTOCOL_TERMINATED_HTTPS):
            raise exceptions.ValidationError(
                'L7 policies only apply to HTTP and TERMINATED_HTTPS '
                'listeners.')
        _check_action(session, listener, values)
        if values.get('redirect_http_code') is None and values[
                'action'] in ('REDIRECT_TO_URL', 'REDIRECT_PREFIX'):
            values['redirect_http_code'] = 302
        last = session.scalar(sa.select(sa.func.max(m.L7Policy.position))
                              .where(m.L7Policy.listener_id == listener.id))
        if values.get('position') is None or values['position'] > (last or 0):
            values['position'] = (last or 0) + 1
        else:
            # Inserting in the middle pushes the later policies down.
            session.execute(sa.update(m.L7Policy).where(
                m.L7Policy.listener_id == listener.id,
                m.L7Policy.position >= values['position'])
                .values(position=m.L7Policy.position + 1))
        policy = m.L7Policy(**values)
        policy.listener = listener
        return policy

    def check_update(self, session, policy, values):
        merged = {k: getattr(policy, k) for k in (
            'action', 'redirect_pool_id', 'redirect_url', 'redirect_prefix',
            'redirect_http_code')}
        if 'action' in values:
            # A new action clears the redirect fields of the old one.
            merged = {'action': values['action']}
        merged.update(values)
        _check_action(session, policy.listener, merged)
        for key in list(_NEEDS.values()) + ['redirect_http_code']:
            values.setdefault(key, merged.get(key))

    @pecan.expose()
    def _lookup(self, policy_id, *remainder):
        if remainder and remainder[0] == 'rules':
            from octavia_aa.api.v2.controllers import l7rule
            return l7rule.L7RulesController(policy_id), remainder[1:]
        self.unrouted(remainder)
