"""/v2/lbaas/l7policies/{l7policy_id}/rules."""
from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m

FIELDS = [fl for fl in f.common(description=False) if fl.name != 'name'] + [
    f.Field('type', 'enum', choices=c.L7RULE_TYPES, required=True,
            nullable=False),
    f.Field('compare_type', 'enum', choices=c.L7RULE_COMPARE_TYPES,
            required=True, nullable=False),
    f.Field('key', max_length=255),
    f.Field('value', required=True, nullable=False),
    f.Field('invert', 'bool', default=False, nullable=False),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.L7Rule, 'rule', 'rules', 'L7 Rule', 'l7rule', FIELDS,
                 rpc_name='l7rule')


def _check(merged):
    if merged['type'] in ('HEADER', 'COOKIE', 'SSL_DN_FIELD') and not \
            merged.get('key'):
        raise exceptions.InvalidInput('key', None, 'It is required for %s '
                                                   'rules.' % merged['type'])
    if ' ' in merged['value'] and merged['type'] != 'HEADER':
        raise exceptions.InvalidInput('value', merged['value'],
                                      'Value should have no spaces.')


class L7RulesController(child.ChildController):
    spec = SPEC
    quota_name = 'l7rule'

    def __init__(self, policy_id):
        self.policy_id = policy_id

    def scope(self, session, stmt):
        if session.get(m.L7Policy, self.policy_id) is None:
            raise exceptions.NotFound('L7 Policy', self.policy_id)
        return stmt.where(m.L7Rule.l7policy_id == self.policy_id)

    def parent_project(self, session):
        return session.get(m.L7Policy, self.policy_id).project_id

    def load_balancer_of(self, rule):
        return rule.l7policy.listener.load_balancer

    def build(self, session, ctx, values):
        policy = child.get_parent(session, m.L7Policy, self.policy_id,
                                  'L7 Policy')
        _check(values)
        rule = m.L7Rule(**values)
        rule.l7policy = policy
        return rule

    def check_update(self, session, rule, values):
        _check({'type': values.get('type', rule.type),
                'key': values.get('key', rule.key),
                'value': values.get('value', rule.value)})
