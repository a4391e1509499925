"""/v2/lbaas/quotas: per-project limits over the [quotas] defaults."""
import pecan

from octavia_aa.api.v2.controllers import base
from octavia_aa.common import client_input
from octavia_aa.common import config
from octavia_aa.common import exceptions
from octavia_aa.common import policy
from octavia_aa.db import api as db_api
from octavia_aa.db import models as m
from octavia_aa.db.queries import quota as quota_q

CONF = config.CONF
RESOURCES = ('load_balancer', 'listener', 'pool', 'health_monitor',
             'member', 'l7policy', 'l7rule')
# The API shows both spellings, as upstream does.
ALIASES = {'loadbalancer': 'load_balancer', 'healthmonitor': 'health_monitor'}


def defaults():
    return {r: getattr(CONF.quotas, 'default_%s_quota' % r)
            for r in RESOURCES}


def effective(session, project_id):
    row = session.get(m.Quotas, project_id)
    out = defaults()
    if row is not None:
        for r in RESOURCES:
            if getattr(row, r) is not None:
                out[r] = getattr(row, r)
    return out


def render(project_id, values):
    out = dict(values)
    for alias, name in ALIASES.items():
        out[alias] = values[name]
    out['project_id'] = out['tenant_id'] = project_id
    return out


def parse(body):
    if not isinstance(body, dict) or not isinstance(body.get('quota'), dict):
        raise exceptions.ValidationError(
            'the request body must be a JSON object with a "quota" key.')
    result = {}
    for key, value in body['quota'].items():
        name = ALIASES.get(key, key)
        if name not in RESOURCES:
            raise exceptions.InvalidInput(key, value, 'Unknown quota.')
        if value is not None and (isinstance(value, bool) or not isinstance(
                value, int) or value < -1 or value > 2000000000):
            raise exceptions.InvalidInput(
                key, value, 'Value should be an integer from -1 (no limit) '
                            'to 2000000000.')
        result[name] = value
    return result


class QuotasController:

    @pecan.expose('json')
    def index(self, **kwargs):
        base.allow('GET')
        ctx = base.context()
        with db_api.session_scope() as session:
            project = base.list_scope(ctx, 'quota', kwargs.get('project_id')
                                      or kwargs.get('tenant_id'))
            return {'quotas': [render(q.project_id,
                                      effective(session, q.project_id))
                               for q in quota_q.of_projects(session,
                                                            project)],
                    'quotas_links': []}

    @pecan.expose('json')
    def defaults(self):
        base.read_only()
        # As upstream, where 'defaults' reaches the per-project GET as a
        # project id: only who may read any project's quota sees them.
        policy.authorize(base.context(), 'quota', 'get_one', 'defaults')
        return {'quota': render('defaults', defaults())}

    @pecan.expose()
    def _lookup(self, project_id, *remainder):
        client_input.check_project_id('project_id', project_id)
        return ProjectQuota(project_id), remainder


class ProjectQuota:
    def __init__(self, project_id):
        self.project_id = project_id

    @pecan.expose('json')
    def default(self):
        base.read_only()
        policy.authorize(base.context(), 'quota', 'get_defaults',
                         self.project_id)
        return {'quota': render(self.project_id, defaults())}

    @pecan.expose('json')
    def index(self):
        ctx = base.context()
        method = pecan.request.method
        with db_api.session_scope() as session:
            if method == 'GET':
                policy.authorize(ctx, 'quota', 'get_one', self.project_id)
                return {'quota': render(self.project_id,
                                        effective(session, self.project_id))}
            if method == 'PUT':
                policy.authorize(ctx, 'quota', 'put', self.project_id)
                values = parse(base.json_body())
                row = session.get(m.Quotas, self.project_id)
                if row is None:
                    row = m.Quotas(project_id=self.project_id)
                    session.add(row)
                for key, value in values.items():
                    setattr(row, key, value)
                session.flush()
                pecan.response.status = 202
                return {'quota': render(self.project_id,
                                        effective(session, self.project_id))}
            if method == 'DELETE':
                policy.authorize(ctx, 'quota', 'delete', self.project_id)
                row = session.get(m.Quotas, self.project_id)
                if row is None:
                    raise exceptions.NotFound('Quota', self.project_id)
                session.delete(row)
                pecan.response.status = 202
                return None
        base.allow('GET', 'PUT', 'DELETE')
