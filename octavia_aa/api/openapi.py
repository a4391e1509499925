"""An OpenAPI 3 document of the whole API, generated from the declarative
field lists (octavia_aa.api.fields) of every resource, so it cannot drift
from what the API validates.

Served at GET /v2/openapi.json (public, like version discovery) and
written by `octavia-aa-openapi --output-file etc/openapi.json`
(tools/generate-samples.sh; a test checks the committed copy is current).
"""
import argparse
import functools
import json
import sys

import sqlalchemy as sa

from octavia_aa.api import pagination
from octavia_aa.api import root
from octavia_aa.api.v2.controllers import amphora
from octavia_aa.api.v2.controllers import availability_zone
from octavia_aa.api.v2.controllers import cluster
from octavia_aa.api.v2.controllers import distributor
from octavia_aa.api.v2.controllers import flavor
from octavia_aa.api.v2.controllers import health_monitor
from octavia_aa.api.v2.controllers import l7policy
from octavia_aa.api.v2.controllers import l7rule
from octavia_aa.api.v2.controllers import listener
from octavia_aa.api.v2.controllers import load_balancer
from octavia_aa.api.v2.controllers import member
from octavia_aa.api.v2.controllers import pool
from octavia_aa.api.v2.controllers import quota
from octavia_aa.common import client_input

PATH = '/v2/openapi.json'
FAULT = {'$ref': '#/components/schemas/Fault'}

# (collection path, controller, name of the item's id in the path, tag).
RESOURCES = [
    ('/v2/lbaas/loadbalancers', load_balancer.LoadBalancersController,
     'loadbalancer_id', 'Load balancers'),
    ('/v2/lbaas/listeners', listener.ListenersController, 'listener_id',
     'Listeners'),
    ('/v2/lbaas/pools', pool.PoolsController, 'pool_id', 'Pools'),
    ('/v2/lbaas/pools/{pool_id}/members', member.MembersController,
     'member_id', 'Members'),
    ('/v2/lbaas/healthmonitors', health_monitor.HealthMonitorsController,
     'healthmonitor_id', 'Health monitors'),
    ('/v2/lbaas/l7policies', l7policy.L7PoliciesController, 'l7policy_id',
     'L7 policies'),
    ('/v2/lbaas/l7policies/{l7policy_id}/rules', l7rule.L7RulesController,
     'l7rule_id', 'L7 rules'),
    ('/v2/lbaas/flavors', flavor.FlavorsController, 'flavor_id', 'Flavors'),
    ('/v2/lbaas/flavorprofiles', flavor.FlavorProfilesController,
     'flavorprofile_id', 'Flavor profiles'),
    ('/v2/lbaas/availabilityzones',
     availability_zone.AvailabilityZonesController,
     'availability_zone_name', 'Availability zones'),
    ('/v2/lbaas/availabilityzoneprofiles',
     availability_zone.AvailabilityZoneProfilesController,
     'availability_zone_profile_id', 'Availability zones'),
    ('/v2/octavia/amphorae', amphora.AmphoraeController, 'amphora_id',
     'Amphorae'),
    ('/v2/octavia/clusters', cluster.ClustersController, 'cluster_id',
     'Clusters'),
    ('/v2/octavia/distributors', distributor.DistributorsController,
     'distributor_id', 'Distributors'),
]
# (path, method, what it does, status, response schema or None, tag).
ACTIONS = [
    ('/v2/lbaas/loadbalancers/{loadbalancer_id}/status', 'get',
     'The status tree of a load balancer.', 200, {'type': 'object'},
     'Load balancers'),
    ('/v2/lbaas/loadbalancers/{loadbalancer_id}/stats', 'get',
     'Traffic counters of a load balancer.', 200, 'Stats', 'Load balancers'),
    ('/v2/lbaas/loadbalancers/{loadbalancer_id}/failover', 'put',
     'Replace every amphora of a load balancer.', 202, None,
     'Load balancers'),
    ('/v2/lbaas/listeners/{listener_id}/stats', 'get',
     'Traffic counters of a listener.', 200, 'Stats', 'Listeners'),
    ('/v2/octavia/amphorae/{amphora_id}/stats', 'get',
     'Traffic counters of an amphora, per listener.', 200,
     {'type': 'object'}, 'Amphorae'),
    ('/v2/octavia/amphorae/{amphora_id}/config', 'put',
     'Push the agent configuration to an amphora again.', 202, None,
     'Amphorae'),
    ('/v2/octavia/amphorae/{amphora_id}/failover', 'put',
     'Replace one amphora.', 202, None, 'Amphorae'),
    ('/v2/octavia/distributors/{distributor_id}/failover', 'put',
     'Rebuild a distributor and restore its VIPs and registrations.', 202,
     None, 'Distributors'),
]
# Read-only lists that are not made of declared fields.
LISTS = [
    ('/v2/lbaas/providers', 'providers', 'Providers'),
    ('/v2/lbaas/providers/{provider}/flavor_capabilities',
     'flavor_capabilities', 'Providers'),
    ('/v2/lbaas/providers/{provider}/availability_zone_capabilities',
     'availability_zone_capabilities', 'Providers'),
    ('/v2/subnets', 'subnets', 'Networks'),
    ('/v2/networks', 'networks', 'Networks'),
]


# What client_input refuses in any string, as a schema pattern.
TEXT_PATTERN = '^[^\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f]*$'
# POST bodies that need one of several optional attributes.
ONE_OF_REQUIRED = {
    'loadbalancer': ('vip_subnet_id', 'vip_network_id'),
    'pool': ('loadbalancer_id', 'listener_id'),
}


def field_schema(field, writing=True):
    """The JSON schema of one field's value."""
    kind = field.kind
    if not writing and (field.render is not None or not (
            field.post or field.put)):
        # Rendered or read-only: described, not typed.
        return {}
    if kind == 'str':
        out = {'type': 'string', 'maxLength': field.max_length,
               'pattern': TEXT_PATTERN}
    elif kind == 'uuid':
        out = {'type': 'string', 'format': 'uuid'}
    elif kind == 'ip':
        out = {'type': 'string', 'anyOf': [{'format': 'ipv4'},
                                           {'format': 'ipv6'}]}
    elif kind == 'enum':
        out = {'enum': list(field.choices)}
    elif kind == 'bool':
        out = {'type': 'boolean'}
    elif kind in ('int', 'float'):
        out = {'type': 'integer' if kind == 'int' else 'number'}
        if field.minimum is not None:
            out['minimum'] = field.minimum
        if field.maximum is not None:
            out['maximum'] = field.maximum
    elif kind == 'str_list':
        out = {'type': 'array', 'items': {'type': 'string',
                                          'pattern': TEXT_PATTERN}}
    elif kind == 'dict':
        out = {'type': 'object'}
    else:
        out = {}
    if field.nullable and 'enum' not in out:
        out['nullable'] = True
    elif field.nullable:
        out['enum'] = out['enum'] + [None]
        out['nullable'] = True
    return out


def body_schema(fields, method, name=None):
    """The object a POST or PUT takes (inside its wrapper key)."""
    allowed = [fl for fl in fields if (fl.post if method == 'post'
                                       else fl.put)]
    out = {'type': 'object', 'additionalProperties': False,
           'properties': {fl.name: field_schema(fl) for fl in allowed}}
    required = [fl.name for fl in allowed if fl.required and
                method == 'post']
    if required:
        out['required'] = required
    if method == 'post' and name in ONE_OF_REQUIRED:
        out['anyOf'] = [{'required': [key]} for key in ONE_OF_REQUIRED[name]]
    return out


def _shown(spec, field):
    """The schema of a field as the API renders it: its column's type
    where it is a plain column, else what it accepts, else any."""
    column = spec.model.__table__.columns.get(field.attr)
    if field.render is not None or column is None:
        return field_schema(field, writing=False)
    out = _column_schema(column)
    if not out:
        # JSON: the shape the field accepts (a list or an object).
        out = field_schema(field, writing=field.post or field.put)
        out.pop('nullable', None)
    # Rows written before a check existed may not meet it: types only.
    for key in ('pattern', 'maxLength', 'minimum', 'maximum'):
        out.pop(key, None)
    out.get('items', {}).pop('pattern', None)
    if column.nullable:
        out['nullable'] = True
        if 'enum' in out and None not in out['enum']:
            out['enum'] = out['enum'] + [None]
    return out


def object_schema(spec):
    props = {fl.name: _shown(spec, fl) for fl in spec.fields}
    if spec.has_project:
        props['tenant_id'] = {'type': 'string', 'nullable': True}
    return {'type': 'object', 'properties': props}


def _column_schema(column):
    kind = column.type
    if isinstance(kind, sa.JSON):
        return {}
    if isinstance(kind, sa.Boolean):
        return {'type': 'boolean'}
    if isinstance(kind, sa.Integer):
        return {'type': 'integer'}
    if isinstance(kind, sa.DateTime):
        return {'type': 'string', 'format': 'date-time'}
    if isinstance(kind, sa.Enum):
        return {'type': 'string', 'enum': list(kind.enums)}
    return {'type': 'string'}


def _query_schema(column):
    """A filter's value: the column's type, in the column's range."""
    out = _column_schema(column)
    if out.get('type') == 'integer':
        bits = next(b for t, b in pagination._INT_BITS
                    if isinstance(column.type, t))
        out.update(minimum=-2 ** bits, maximum=2 ** bits - 1)
    elif out == {'type': 'string'}:
        out['pattern'] = TEXT_PATTERN
    return out


def list_parameters(spec):
    out = [
        _param('limit', {'type': 'integer', 'minimum': 0},
               'Page size (at most [api_settings] pagination_max_limit).'),
        _param('marker', {'type': 'string'},
               'Id of the last object of the previous page.'),
        _param('page_reverse', {'type': 'boolean'},
               'Page backwards from the marker.'),
        _param('sort', {'type': 'string'},
               'key[:asc|desc][,key[:asc|desc]...] over the filterable '
               'fields.'),
        _param('fields', {'type': 'string'},
               'Comma-separated fields to return.'),
    ]
    if spec.has_project:
        out.append(_param('project_id', {'type': 'string', 'maxLength':
                                         client_input.PROJECT_ID_MAX},
                          'Only this project\'s objects.'))
    if hasattr(spec.model, 'tags'):
        out += [_param(name, {'type': 'string'}, 'Comma-separated tags.')
                for name in ('tags', 'tags-any', 'not-tags',
                             'not-tags-any')]
    for fl in spec.fields:
        if fl.name in pagination.RESERVED:
            continue
        column = pagination._column(spec, fl)
        if column is not None:
            out.append(_param(fl.name, _query_schema(column),
                              'Only objects whose %s is this.' % fl.name))
    return out


def _param(name, schema, description, where='query'):
    out = {'name': name, 'in': where, 'schema': schema,
           'description': description}
    if where == 'path':
        out['required'] = True
    return out


def _path_params(path):
    return [_param(part[1:-1], {'type': 'string', 'pattern': TEXT_PATTERN},
                   'Id in the path.', 'path')
            for part in path.split('/') if part.startswith('{')]


def _errors(*codes):
    text = {400: 'Bad input: the fault names the field.',
            401: 'Not authenticated.', 403: 'Policy or quota refuses.',
            404: 'Not found.', 405: 'Method not allowed here.',
            409: 'Conflicts with the object\'s state.',
            413: 'Body too large.', 414: 'URL too long.'}
    return {str(c): {'description': text[c], 'content': {
        'application/json': {'schema': FAULT}}} for c in codes}


def _json(schema, description='OK'):
    return {'description': description,
            'content': {'application/json': {'schema': schema}}}


def _wrapped(key, schema):
    # Other top-level keys are ignored, but not part of the API.
    return {'type': 'object', 'required': [key], 'properties': {key: schema},
            'additionalProperties': False}


def _resource_paths(path, controller, id_name, tag):
    spec = controller.spec
    name = spec.singular
    ref = {'$ref': '#/components/schemas/%s' % _schema_name(spec)}
    item = '%s/{%s}' % (path, id_name)
    common_errors = (400, 401, 403, 404, 405, 413, 414)
    coll = {'get': {
        'tags': [tag], 'summary': 'List %s.' % spec.plural,
        'operationId': 'list_%s' % spec.plural,
        'parameters': list_parameters(spec),
        'responses': dict(_errors(*common_errors), **{'200': _json({
            'type': 'object', 'properties': {
                spec.plural: {'type': 'array', 'items': ref},
                spec.plural + '_links': {'type': 'array', 'items': {
                    '$ref': '#/components/schemas/Link'}}}})})}}
    one = {'get': {
        'tags': [tag], 'summary': 'Show one %s.' % spec.display,
        'operationId': 'show_%s' % name,
        'parameters': [_param('fields', {'type': 'string'},
                              'Comma-separated fields to return.')],
        'responses': dict(_errors(*common_errors), **{'200': _json(
            _wrapped(name, ref))})}}
    methods = controller.methods(False) + controller.methods(True)
    if 'POST' in methods:
        coll['post'] = {
            'tags': [tag], 'summary': 'Create a %s.' % spec.display,
            'operationId': 'create_%s' % name,
            'requestBody': {'required': True, 'content': {
                'application/json': {'schema': _wrapped(
                    name, body_schema(spec.fields, 'post', name))}}},
            'responses': dict(_errors(*common_errors, 409), **{
                '201': _json(_wrapped(name, ref), 'Created')})}
    if 'PUT' in methods:
        one['put'] = {
            'tags': [tag], 'summary': 'Update a %s.' % spec.display,
            'operationId': 'update_%s' % name,
            'requestBody': {'required': True, 'content': {
                'application/json': {'schema': _wrapped(
                    name, body_schema(spec.fields, 'put'))}}},
            'responses': dict(_errors(*common_errors, 409), **{
                '200': _json(_wrapped(name, ref))})}
    if 'DELETE' in methods:
        one['delete'] = {
            'tags': [tag], 'summary': 'Delete a %s.' % spec.display,
            'operationId': 'delete_%s' % name,
            'responses': dict(_errors(*common_errors, 409), **{
                '204': {'description': 'Deleted (asynchronously where a '
                                       'worker is involved).'}})}
    if controller is load_balancer.LoadBalancersController:
        one['delete']['parameters'] = [_param(
            'cascade', {'type': 'boolean'},
            'Delete the listeners and pools too.')]
    if controller is member.MembersController:
        coll['put'] = {
            'tags': [tag], 'summary': 'Make the pool\'s members these.',
            'operationId': 'batch_update_members',
            'parameters': [_param('additive_only', {'type': 'boolean'},
                                  'Add and update only; delete none.')],
            'requestBody': {'required': True, 'content': {
                'application/json': {'schema': _wrapped('members', {
                    'type': 'array',
                    'items': body_schema(spec.fields, 'post')})}}},
            'responses': dict(_errors(*common_errors, 409), **{
                '202': {'description': 'Accepted.'}})}
    for ops, where in ((coll, path), (one, item)):
        params = _path_params(where)
        for op in ops.values():
            op['parameters'] = params + op.get('parameters', [])
    return {path: coll, item: one}


def _schema_name(spec):
    return ''.join(w.capitalize() for w in spec.display.split())


def _quota_paths():
    q = {'type': 'object', 'properties': {
        key: {'type': 'integer', 'minimum': -1, 'maximum': 2000000000,
              'nullable': True}
        for key in quota.RESOURCES + tuple(quota.ALIASES)},
        'additionalProperties': False}
    shown = {'type': 'object', 'properties': dict(q['properties'], **{
        'project_id': {'type': 'string'}, 'tenant_id': {'type': 'string'}})}
    pid = [_param('project_id', {'type': 'string', 'maxLength':
                                 client_input.PROJECT_ID_MAX},
                  'A project id.', 'path')]
    errors = _errors(400, 401, 403, 404, 405)
    return {
        '/v2/lbaas/quotas': {'get': {
            'tags': ['Quotas'], 'summary': 'List project quotas.',
            'operationId': 'list_quotas',
            'parameters': [_param('project_id', {'type': 'string'},
                                  'Only this project.')],
            'responses': dict(errors, **{'200': _json({
                'type': 'object', 'properties': {'quotas': {
                    'type': 'array', 'items': shown}}})})}},
        '/v2/lbaas/quotas/defaults': {'get': {
            'tags': ['Quotas'], 'summary': 'The default quotas.',
            'operationId': 'show_quota_defaults',
            'responses': dict(errors, **{'200': _json(
                _wrapped('quota', shown))})}},
        '/v2/lbaas/quotas/{project_id}': {
            'get': {'tags': ['Quotas'], 'summary': 'A project\'s quotas.',
                    'operationId': 'show_quota', 'parameters': pid,
                    'responses': dict(errors, **{'200': _json(
                        _wrapped('quota', shown))})},
            'put': {'tags': ['Quotas'], 'summary': 'Set a project\'s '
                    'quotas (null: back to the default).',
                    'operationId': 'update_quota', 'parameters': pid,
                    'requestBody': {'required': True, 'content': {
                        'application/json': {'schema': _wrapped(
                            'quota', q)}}},
                    'responses': dict(errors, **{'202': _json(
                        _wrapped('quota', shown), 'Accepted')})},
            'delete': {'tags': ['Quotas'], 'summary': 'Reset a project\'s '
                       'quotas to the defaults.',
                       'operationId': 'delete_quota', 'parameters': pid,
                       'responses': dict(errors, **{'202': {
                           'description': 'Accepted.'}})}},
        '/v2/lbaas/quotas/{project_id}/default': {'get': {
            'tags': ['Quotas'], 'summary': 'The defaults, as a project '
            'sees them.', 'operationId': 'show_quota_default',
            'parameters': pid, 'responses': dict(errors, **{
                '200': _json(_wrapped('quota', shown))})}},
    }


@functools.lru_cache(maxsize=1)
def document():
    """The OpenAPI document (a dict; built once per process)."""
    paths = {}
    schemas = {
        'Fault': {'type': 'object', 'required': ['faultcode', 'faultstring'],
                  'properties': {
                      'faultcode': {'type': 'string',
                                    'enum': ['Client', 'Server']},
                      'faultstring': {'type': 'string'},
                      'debuginfo': {'type': 'string', 'nullable': True}}},
        'Link': {'type': 'object', 'properties': {
            'href': {'type': 'string'}, 'rel': {'type': 'string',
                                                'enum': ['next',
                                                         'previous']}}},
        'Stats': {'type': 'object', 'properties': {'stats': {
            'type': 'object', 'properties': {
                key: {'type': 'integer', 'minimum': 0} for key in (
                    'bytes_in', 'bytes_out', 'active_connections',
                    'total_connections', 'request_errors')}}}},
    }
    for path, controller, id_name, tag in RESOURCES:
        paths.update(_resource_paths(path, controller, id_name, tag))
        schemas[_schema_name(controller.spec)] = object_schema(
            controller.spec)
    for path, method, summary, status, schema, tag in ACTIONS:
        resp = {'description': 'Accepted.' if status == 202 else 'OK'}
        if schema is not None:
            resp = _json({'$ref': '#/components/schemas/%s' % schema}
                         if isinstance(schema, str) else schema)
        paths.setdefault(path, {})[method] = {
            'tags': [tag], 'summary': summary,
            'operationId': '%s_%s' % (path.rsplit('/', 1)[-1],
                                      path.split('/')[3]),
            'parameters': _path_params(path),
            'responses': dict(_errors(400, 401, 403, 404, 405, 409),
                              **{str(status): resp})}
    for path, key, tag in LISTS:
        paths[path] = {'get': {
            'tags': [tag], 'summary': 'List %s.' % key.replace('_', ' '),
            'operationId': 'list_%s' % key,
            'parameters': _path_params(path),
            'responses': dict(_errors(400, 401, 403, 404, 405), **{
                '200': _json({'type': 'object', 'properties': {key: {
                    'type': 'array', 'items': {'type': 'object'}}}})})}}
    paths.update(_quota_paths())
    paths['/'] = {'get': {
        'tags': ['Discovery'], 'summary': 'API versions (public).',
        'operationId': 'list_versions', 'security': [],
        'responses': dict(_errors(400, 405),
                          **{'200': _json({'type': 'object'})})}}
    paths[PATH] = {'get': {
        'tags': ['Discovery'], 'summary': 'This document (public).',
        'operationId': 'show_openapi', 'security': [],
        'responses': dict(_errors(400, 405),
                          **{'200': _json({'type': 'object'})})}}
    return {
        'openapi': '3.0.3',
        'info': {
            'title': 'octavia-aa load-balancer API',
            'version': root.VERSIONS[-1][0].lstrip('v'),
            'description': (
                'The Octavia v2 API as octavia-aa serves it, with the '
                'active-active resources (clusters, distributors). '
                'Generated from the field declarations the API validates '
                'with. Errors are {"faultcode", "faultstring", '
                '"debuginfo"}.')},
        'servers': [{'url': '/'}],
        'components': {
            'schemas': schemas,
            'securitySchemes': {'keystone': {
                'type': 'apiKey', 'in': 'header', 'name': 'X-Auth-Token',
                'description': 'A Keystone token (without Keystone, '
                               'X-Project-Id names the project).'}}},
        'security': [{'keystone': []}],
        'paths': dict(sorted(paths.items())),
    }


def dumps():
    return json.dumps(document(), indent=1, sort_keys=True) + '\n'


def main(argv=None):
    parser = argparse.ArgumentParser(
        description='Write the OpenAPI document of the octavia-aa API.')
    parser.add_argument('--output-file', help='Where (default: stdout).')
    args = parser.parse_args(argv)
    text = dumps()
    if args.output_file:
        with open(args.output_file, 'w') as out:
            out.write(text)
    else:
        sys.stdout.write(text)


if __name__ == '__main__':
    main()
