"""/v2/lbaas/l7policies/{l7policy_id}/rules."""

from octavia_aa.api import fields as f
from octavia_aa.api import validate
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import models as m
from octavia_aa.db.queries import l7 as l7_q

FIELDS = [fl for fl in f.common(description=False) if fl.name != 'name'] + [
    f.Field('type', 'enum', choices=c.L7RULE_TYPES, required=True,
            nullable=False),
    f.Field('compare_type', 'enum', choices=c.L7RULE_COMPARE_TYPES,
            required=True, nullable=False),
    f.Field('key', max_length=255, pattern=validate.NO_NEWLINE_RE.pattern),
    f.Field('value', required=True, nullable=False,
            pattern=validate.NO_NEWLINE_RE.pattern),
    f.Field('invert', 'bool', default=False, nullable=False),
    f.Field('fault', read_only=True),
]

SPEC = base.Spec(m.L7Rule, 'rule', 'rules', 'L7 Rule', 'l7rule', FIELDS,
                 rpc_name='l7rule')


MAX_RULES = 50   # upstream: HAProxy fails past ~53 rules per policy
TEXT_COMPARES = ('STARTS_WITH', 'ENDS_WITH', 'CONTAINS', 'EQUAL_TO')


def _refuse(field, value, msg):
    raise exceptions.InvalidInput(field, value,
                                  'Error parsing L7Rule: %s' % msg)


def _check_ssl(kind, compare, key, value):
    if kind == 'SSL_CONN_HAS_CERT':
        if key:
            _refuse('key', key, 'L7rule type %s does not use the "key" '
                                'field.' % kind)
        if value.lower() != 'true':
            _refuse('value', value, 'L7rule value %s is not a boolean True '
                                    'string.' % value)
        if compare != 'EQUAL_TO':
            _refuse('compare_type', compare, 'L7rule type %s only supports '
                                             'the EQUAL_TO compare type.'
                                             % kind)
    elif kind == 'SSL_VERIFY_RESULT':
        if key:
            _refuse('key', key, 'L7rule type %s does not use the "key" '
                                'field.' % kind)
        # ASCII digits: upstream's isdigit() also takes '²', which int()
        # (and so the HAProxy renderer) refuses.
        if not (value.isascii() and value.isdigit()):
            _refuse('value', value, 'L7rule type %s needs a int value, '
                                    'which is >= 0' % kind)
        if compare != 'EQUAL_TO':
            _refuse('compare_type', compare, 'L7rule type %s only supports '
                                             'the EQUAL_TO compare type.'
                                             % kind)
    else:   # SSL_DN_FIELD
        if compare == 'REGEX':
            validate.regex('value', value)
        if not key:
            _refuse('key', key, 'L7rule type %s needs to specify a key and '
                                'a value.' % kind)
        if not validate.DN_FIELD_RE.match(key):
            _refuse('key', key, 'Invalid L7rule distinguished name field.')


def _check(merged):
    """Upstream's validate.l7rule_data on the rule as it will be."""
    kind, compare = merged['type'], merged['compare_type']
    key, value = merged.get('key'), merged.get('value')
    if not value:
        _refuse('value', value, 'L7 rule type requires a value')
    if kind.startswith('SSL_'):
        return _check_ssl(kind, compare, key, value)
    if kind in ('HEADER', 'COOKIE'):
        if not key:
            _refuse('key', key, 'L7 rule type requires a key')
        if not validate.HEADER_NAME_RE.match(key):
            _refuse('key', key, 'Invalid characters in key')
    allowed = ('REGEX', 'EQUAL_TO') if kind == 'FILE_TYPE' else \
        ('REGEX',) + TEXT_COMPARES
    if compare not in allowed:
        _refuse('compare_type', compare, 'invalid comparison type for rule '
                                         'type')
    if compare == 'REGEX':
        validate.regex('value', value)
    elif kind == 'COOKIE':
        if not validate.COOKIE_VALUE_RE.match(value):
            _refuse('value', value, 'Invalid characters in cookie value')
    else:
        validate.header_value('value', value, 'header value' if kind ==
                              'HEADER' else 'comparison value')


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
        count = l7_q.rule_count(session, policy.id)
        if count >= MAX_RULES:
            raise exceptions.Conflict('Too many rules on L7 policy %s'
                                      % policy.id)
        rule = m.L7Rule(**values)
        rule.l7policy = policy
        return rule

    def check_update(self, session, rule, values):
        _check({name: values.get(name, getattr(rule, name))
                for name in ('type', 'compare_type', 'key', 'value')})
