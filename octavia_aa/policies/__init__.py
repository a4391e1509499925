"""Default policy rules: upstream Octavia's role model.

The defaults are Keystone's reader/member/admin roles on the object's
project: admin (role admin) does everything, member writes and reads its
project, reader reads it.  Octavia's older roles (load-balancer_member,
load-balancer_observer, load-balancer_global_observer,
load-balancer_admin, load-balancer_quota_admin) are deprecated defaults,
honoured as upstream only with [oslo_policy] enforce_new_defaults = False.
Admin-only resources (amphorae, clusters, distributors, flavor profiles)
use rule:load-balancer:admin.  Every rule is for project-scoped tokens.
"""
import itertools

from oslo_log import versionutils
from oslo_policy import policy

PREFIX = 'os_load-balancer_api'
SCOPES = ['project']
_DEPRECATED_REASON = (
    'The load-balancer API uses the OpenStack default roles (reader, '
    'member, admin) and project-scoped tokens, as upstream Octavia does.')


def _deprecated(name, check):
    return policy.DeprecatedRule(
        name=name, check_str=check, deprecated_reason=_DEPRECATED_REASON,
        deprecated_since=versionutils.deprecated.WALLABY)


def _rule(name, check, description, deprecated=None):
    return policy.RuleDefault(
        name, check, description=description, scope_types=SCOPES,
        deprecated_rule=_deprecated(name, deprecated) if deprecated else None)


BASE_RULES = [
    _rule('project-member', 'role:member and project_id:%(project_id)s',
          'Members of the owning project (Keystone default role).'),
    _rule('project-reader', 'role:reader and project_id:%(project_id)s',
          'Readers of the owning project (Keystone default role).'),
    _rule('load-balancer:owner', 'project_id:%(project_id)s',
          'The caller\'s token is for the owning project.'),
    _rule('context_is_admin', 'role:admin', 'Who is an administrator.',
          'role:admin or role:load-balancer_admin'),
    # is_admin:True is also what the noauth strategy grants everyone.
    _rule('load-balancer:admin', 'is_admin:True or role:admin',
          'Administrators of every load-balancer object.',
          'is_admin:True or role:admin or role:load-balancer_admin'),
    _rule('service', 'role:service', 'Other OpenStack services.'),
    _rule('load-balancer:global_observer', 'role:admin',
          'Readers of every project.',
          'role:load-balancer_global_observer'),
    _rule('load-balancer:member_and_owner', 'rule:project-member',
          'Members of the owning project.',
          'role:load-balancer_member and rule:load-balancer:owner'),
    _rule('load-balancer:observer_and_owner', 'rule:project-reader',
          'Readers of the owning project.',
          'role:load-balancer_observer and rule:load-balancer:owner'),
    _rule('load-balancer:quota-admin', 'role:admin',
          'Administrators of quotas.', 'role:load-balancer_quota_admin'),
    _rule('load-balancer:read',
          'rule:load-balancer:observer_and_owner or '
          'rule:load-balancer:global_observer or '
          'rule:load-balancer:member_and_owner or '
          'rule:load-balancer:admin',
          'Read an object of the project.'),
    _rule('load-balancer:read-global',
          'rule:load-balancer:global_observer or '
          'rule:load-balancer:admin',
          'Read objects of every project.'),
    _rule('load-balancer:write',
          'rule:load-balancer:member_and_owner or '
          'rule:load-balancer:admin',
          'Change an object of the project.'),
    _rule('load-balancer:read-quota',
          'rule:load-balancer:observer_and_owner or '
          'rule:load-balancer:global_observer or '
          'rule:load-balancer:member_and_owner or '
          'rule:load-balancer:quota-admin or '
          'rule:load-balancer:admin',
          'Read the quota of the project.'),
    _rule('load-balancer:read-quota-global',
          'rule:load-balancer:global_observer or '
          'rule:load-balancer:quota-admin or '
          'rule:load-balancer:admin',
          'Read every project\'s quota.'),
    _rule('load-balancer:write-quota',
          'rule:load-balancer:quota-admin or '
          'rule:load-balancer:admin',
          'Change quotas.'),
]

# resource -> (check string per action); the API path is for the docs.
_STANDARD = {'get_all': 'rule:load-balancer:read',
             'get_all-global': 'rule:load-balancer:read-global',
             'get_one': 'rule:load-balancer:read',
             'post': 'rule:load-balancer:write',
             'put': 'rule:load-balancer:write',
             'delete': 'rule:load-balancer:write'}
_ADMIN = {k: 'rule:load-balancer:admin' for k in _STANDARD}
# Objects of no project have no get_all-global rule (as upstream's).
_ADMIN_UNSCOPED = {k: v for k, v in _ADMIN.items() if k != 'get_all-global'}

RESOURCES = {
    'loadbalancer': ('/v2/lbaas/loadbalancers', dict(
        _STANDARD, get_stats='rule:load-balancer:read',
        get_status='rule:load-balancer:read',
        put_failover='rule:load-balancer:admin',
        **{'post:vip_sg_ids': 'rule:load-balancer:write',
           'put:vip_sg_ids': 'rule:load-balancer:write'})),
    'listener': ('/v2/lbaas/listeners', dict(
        _STANDARD, get_stats='rule:load-balancer:read')),
    'pool': ('/v2/lbaas/pools', _STANDARD),
    # The service role lets e.g. telemetry list a pool's members.
    'member': ('/v2/lbaas/pools/{pool_id}/members', dict(
        _STANDARD, get_all='rule:load-balancer:read or rule:service')),
    'healthmonitor': ('/v2/lbaas/healthmonitors', _STANDARD),
    'l7policy': ('/v2/lbaas/l7policies', _STANDARD),
    'l7rule': ('/v2/lbaas/l7policies/{l7policy_id}/rules', _STANDARD),
    'flavor': ('/v2/lbaas/flavors', dict(
        _ADMIN, get_all='rule:load-balancer:read',
        get_one='rule:load-balancer:read')),
    'flavor-profile': ('/v2/lbaas/flavorprofiles', _ADMIN),
    'provider': ('/v2/lbaas/providers', {
        'get_all': 'rule:load-balancer:read'}),
    'provider-flavor': ('/v2/lbaas/providers/{provider}/flavor_capabilities',
                        {'get_all': 'rule:load-balancer:admin'}),
    # Availability zones as upstream: anyone may read the zones to pick
    # one; profiles (what a zone means to the compute driver) are admin's.
    'availability-zone': ('/v2/lbaas/availabilityzones', dict(
        _ADMIN_UNSCOPED, get_all='rule:load-balancer:read',
        get_one='rule:load-balancer:read')),
    'availability-zone-profile': ('/v2/lbaas/availabilityzoneprofiles',
                                  _ADMIN_UNSCOPED),
    'provider-availability-zone': (
        '/v2/lbaas/providers/{provider}/availability_zone_capabilities',
        {'get_all': 'rule:load-balancer:admin'}),
    'quota': ('/v2/lbaas/quotas', {
        'get_all': 'rule:load-balancer:read-quota',
        'get_all-global': 'rule:load-balancer:read-quota-global',
        'get_one': 'rule:load-balancer:read-quota',
        'get_defaults': 'rule:load-balancer:read-quota',
        'put': 'rule:load-balancer:write-quota',
        'delete': 'rule:load-balancer:write-quota'}),
    'amphora': ('/v2/octavia/amphorae', dict(
        _ADMIN, get_stats='rule:load-balancer:admin',
        put_config='rule:load-balancer:admin',
        put_failover='rule:load-balancer:admin')),
    'cluster': ('/v2/octavia/clusters', _ADMIN),
    'distributor': ('/v2/octavia/distributors', dict(
        _ADMIN, put_failover='rule:load-balancer:admin')),
    # Prometheus' scrape: every project's objects, so admin's.
    'metrics': ('/metrics', {'get': 'rule:load-balancer:admin'}),
}


def rule_name(resource, action):
    return '%s:%s:%s' % (PREFIX, resource, action)


def list_rules():
    resource_rules = [
        policy.RuleDefault(rule_name(res, action), check,
                           description='%s %s (%s).' % (action, res, path),
                           scope_types=SCOPES)
        for res, (path, actions) in RESOURCES.items()
        for action, check in actions.items()]
    return list(itertools.chain(BASE_RULES, resource_rules))
