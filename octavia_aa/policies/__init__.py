"""Default policy rules: upstream Octavia's role model.

admin (role admin), member and owner (role member in the object's
project), observer and owner (role reader in the project) and the global
observer (reader of every project).  Admin-only resources (amphorae,
clusters, distributors, flavor profiles) use rule:load-balancer:admin.
"""
import itertools

from oslo_policy import policy

PREFIX = 'os_load-balancer_api'

BASE_RULES = [
    policy.RuleDefault('context_is_admin', 'role:admin',
                       description='Who is an administrator.'),
    policy.RuleDefault('load-balancer:admin',
                       'is_admin:True or role:admin',
                       description='Administrators.'),
    policy.RuleDefault('load-balancer:global_observer',
                       'role:load-balancer_global_observer or '
                       '(role:reader and system_scope:all)',
                       description='Readers of every project.'),
    policy.RuleDefault('load-balancer:member_and_owner',
                       'role:member and project_id:%(project_id)s',
                       description='Members of the owning project.'),
    policy.RuleDefault('load-balancer:observer_and_owner',
                       'role:reader and project_id:%(project_id)s',
                       description='Readers of the owning project.'),
    policy.RuleDefault('load-balancer:read',
                       'rule:load-balancer:observer_and_owner or '
                       'rule:load-balancer:global_observer or '
                       'rule:load-balancer:member_and_owner or '
                       'rule:load-balancer:admin',
                       description='Read an object of the project.'),
    policy.RuleDefault('load-balancer:read-global',
                       'rule:load-balancer:global_observer or '
                       'rule:load-balancer:admin',
                       description='Read objects of every project.'),
    policy.RuleDefault('load-balancer:write',
                       'rule:load-balancer:member_and_owner or '
                       'rule:load-balancer:admin',
                       description='Change an object of the project.'),
    policy.RuleDefault('load-balancer:read-quota',
                       'rule:load-balancer:observer_and_owner or '
                       'rule:load-balancer:global_observer or '
                       'rule:load-balancer:member_and_owner or '
                       'rule:load-balancer:admin',
                       description='Read the quota of the project.'),
    policy.RuleDefault('load-balancer:read-quota-global',
                       'rule:load-balancer:global_observer or '
                       'rule:load-balancer:admin',
                       description='Read every project\'s quota.'),
    policy.RuleDefault('load-balancer:write-quota',
                       'rule:load-balancer:admin',
                       description='Change quotas.'),
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
        put_failover='rule:load-balancer:admin')),
    'listener': ('/v2/lbaas/listeners', dict(
        _STANDARD, get_stats='rule:load-balancer:read')),
    'pool': ('/v2/lbaas/pools', _STANDARD),
    'member': ('/v2/lbaas/pools/{pool_id}/members', _STANDARD),
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
        'put': 'rule:load-balancer:write-quota',
        'delete': 'rule:load-balancer:write-quota'}),
    'amphora': ('/v2/octavia/amphorae', dict(
        _ADMIN, get_stats='rule:load-balancer:admin',
        put_config='rule:load-balancer:admin',
        put_failover='rule:load-balancer:admin')),
    'cluster': ('/v2/octavia/clusters', _ADMIN),
    'distributor': ('/v2/octavia/distributors', _ADMIN),
}


def rule_name(resource, action):
    return '%s:%s:%s' % (PREFIX, resource, action)


def list_rules():
    resource_rules = [
        policy.RuleDefault(rule_name(res, action), check,
                           description='%s %s (%s).' % (action, res, path))
        for res, (path, actions) in RESOURCES.items()
        for action, check in actions.items()]
    return list(itertools.chain(BASE_RULES, resource_rules))
