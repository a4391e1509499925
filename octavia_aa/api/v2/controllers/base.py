"""The generic REST controller every v2 resource is made of.

A resource declares its Spec (model, names, fields, eager loads) and
overrides the few hooks where it differs (create, update, remove, cast);
listing, showing, validation, policy, pagination and errors live here once.
"""
from oslo_log import log as logging
import pecan
from pecan import rest
import sqlalchemy as sa

from octavia_aa.api import fields as f
from octavia_aa.api import hooks
from octavia_aa.api import pagination
from octavia_aa.common import client_input
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.common import policy
from octavia_aa.common import rpc
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db.queries import resource as resource_q

LOG = logging.getLogger(__name__)


class Spec:
    # Whether a created object renders after its transaction commits,
    # out of the write lock (only where rendering loads nothing lazily).
    render_after_commit = False

    def __init__(self, model, singular, plural, display, policy_name,
                 fields, load=(), rpc_name=None, id_kwarg=None):
        self.model = model
        self.singular = singular
        self.plural = plural
        self.display = display
        self.policy = policy_name
        self.fields = fields
        self.load = tuple(load)
        self.rpc_name = rpc_name or singular
        self.id_kwarg = id_kwarg or '%s_id' % self.rpc_name
        self._by_name = {fl.name: fl for fl in fields}
        self.has_project = hasattr(model, 'project_id')

    def field(self, name):
        return self._by_name.get(name)

    def filter_field(self, key):
        """The field a list filter names: by its API name, or by its
        model attribute (openstacksdk filters listeners and pools on
        `load_balancer_id`, the API calls it `loadbalancer_id`)."""
        field = self._by_name.get(key)
        if field is None:
            field = next((fl for fl in self.fields
                          if fl.attr == key and fl.render is None), None)
        if field is None:
            field = self._parent_key(key)
        return field

    def _parent_key(self, key):
        """A parent's id the body does not show (upstream filters on any
        data-model attribute: openstacksdk lists l7 rules with
        `?l7policy_id=`)."""
        col = self.model.__table__.columns.get(key)
        if col is None or not col.foreign_keys:
            return None
        return f.Field(key, 'uuid', read_only=True,
                       filter_column=getattr(self.model, key))

    def list_from(self):
        return self.model

    def statement(self):
        """The statement lists and finds start from."""
        # Statements are immutable: build the base one once, since
        # constructing it costs more than running it.
        stmt = self.__dict__.get('_statement')
        if stmt is None:
            stmt = self._statement = self.build_statement()
        return stmt

    def build_statement(self):
        return resource_q.statement(self.model, self.load)

    def read_statement(self):
        """The statement lists and shows start from (a resource may read
        plain rows instead of ORM objects: see read_rows)."""
        return self.statement()

    def read_rows(self, session, stmt):
        """The objects a read_statement-based select returns, to render."""
        return list(session.scalars(stmt).unique())

    def prepare(self, session, objs):
        """Load, in as few queries as possible, what rendering `objs`
        needs beyond their own rows (overridden where that matters)."""

    def render(self, obj, only=None):
        if only:
            out = f.render(self.fields, obj, only)
        else:
            # The common case, a full object: one getter per field, made
            # once (a list of 500 renders 13,000 fields).
            getters = self.__dict__.get('_getters')
            if getters is None:
                getters = self._getters = f.getters(self.fields)
            out = {name: get(obj) for name, get in getters}
        if self.has_project and (not only or 'tenant_id' in only):
            out['tenant_id'] = obj.project_id
        return out


def json_body():
    environ = pecan.request.environ
    if hooks.BODY in environ:
        return environ[hooks.BODY]
    return client_input.loads(pecan.request.body or b'null')


def context():
    return pecan.request.context['octavia_context']


def allow(*methods):
    """405 (naming the allowed methods) unless the request is one of
    `methods`."""
    method = pecan.request.method
    if method not in methods:
        raise exceptions.MethodNotAllowed(method, methods)


def read_only(what=None):
    """405 for anything but GET on a read-only endpoint (pecan's index
    takes every method)."""
    allow('GET', 'HEAD')


class ResourceController(rest.RestController):
    spec: Spec = None

    # --- hooks a resource overrides -------------------------------------
    def scope(self, session, stmt):
        """Restrict a list to the parent in the URL (members, rules)."""
        return stmt

    # A resource has the methods whose hook it overrides: the others
    # answer 405.
    def create(self, session, ctx, values):
        raise NotImplementedError

    def update(self, session, ctx, obj, values):
        raise NotImplementedError

    def remove(self, session, ctx, obj):
        raise NotImplementedError

    @classmethod
    def methods(cls, item):
        """The HTTP methods of the collection (item=False) or of one of
        its objects (item=True)."""
        base = ResourceController
        if item:
            return (('GET',) + (('PUT',) if cls.update is not base.update
                                else ()) +
                    (('DELETE',) if cls.remove is not base.remove else ()))
        return ('GET',) + (('POST',) if cls.create is not base.create
                           else ())

    def _allow(self, item):
        allow(*self.methods(item))

    def unrouted(self, remainder):
        """What a resource's _lookup does with a path it has no route for:
        /<collection>/<id> with a method the object lacks is a 405 (pecan
        looks up a sub-controller then), anything deeper a 404."""
        if not remainder:
            raise exceptions.MethodNotAllowed(pecan.request.method,
                                              self.methods(True))
        pecan.abort(404)

    def cast(self, action, obj, **kwargs):
        rpc.cast('%s_%s' % (action, self.spec.rpc_name),
                 **{self.spec.id_kwarg: obj.id}, **kwargs)

    def mark_cast_failed(self, obj_id, error):
        """The worker could not be told: do not leave a PENDING_* row."""
        LOG.error('Cast for %s %s failed: %s', self.spec.display, obj_id,
                  error)
        with db_api.session_scope() as session:
            obj = session.get(self.spec.model, obj_id)
            if obj is not None and hasattr(obj, 'provisioning_status'):
                lifecycle.to_error(obj, lifecycle.CAST_FAILED % error)
            lb = getattr(obj, 'load_balancer', None)
            if lb is not None:
                lifecycle.unlock(lb)

    # --- shared machinery ------------------------------------------------
    def find(self, session, obj_id, ctx=None, action='get_one',
             display=None):
        obj = session.scalars(self.scope(session, self.spec.statement().where(
            self.spec.model.id == obj_id))).unique().first()
        if obj is None or getattr(obj, 'provisioning_status',
                                  None) == c.DELETED:
            raise exceptions.NotFound(display or self.spec.display, obj_id)
        if ctx is not None:
            policy.authorize(ctx, self.spec.policy, action,
                             getattr(obj, 'project_id', None))
        return obj

    def find_read(self, session, obj_id, ctx):
        """find() for a GET: through the spec's read path."""
        if type(self.spec).read_rows is Spec.read_rows:
            return self.find(session, obj_id, ctx)
        rows = self.spec.read_rows(session, self.scope(
            session, self.spec.read_statement().where(
                self.spec.model.id == obj_id)))
        obj = rows[0] if rows else None
        if obj is None or getattr(obj, 'provisioning_status',
                                  None) == c.DELETED:
            raise exceptions.NotFound(self.spec.display, obj_id)
        policy.authorize(ctx, self.spec.policy, 'get_one',
                         getattr(obj, 'project_id', None))
        return obj

    def parent_project(self, session):
        """Nested collections (a pool's members, a policy's rules): the
        project of the parent in the URL, which listing is checked
        against, as upstream; None for top-level collections."""
        return None

    def _project_scope(self, ctx, stmt, params, session):
        parent_project = self.parent_project(session)
        if parent_project is not None:
            policy.authorize(ctx, self.spec.policy, 'get_all',
                             parent_project)
            return stmt
        if not self.spec.has_project:
            policy.authorize(ctx, self.spec.policy, 'get_all')
            return stmt
        project = list_scope(ctx, self.spec.policy,
                             params.get('project_id') or
                             params.get('tenant_id'))
        if project is None:
            return stmt
        return stmt.where(self.spec.model.project_id == project)

    @pecan.expose('json')
    def get_all(self, *args, **kwargs):
        ctx = context()
        params = pecan.request.GET
        only = pagination.selected_fields(params)
        with db_api.session_scope(readonly=True) as session:
            stmt = self.scope(session, self.spec.read_statement())
            stmt = self._project_scope(ctx, stmt, params, session)
            if hasattr(self.spec.model, 'provisioning_status'):
                stmt = stmt.where(
                    self.spec.model.provisioning_status != c.DELETED)
            stmt = pagination.apply_filters(self.spec, stmt, params)
            rows, links = pagination.paginate(session, self.spec, stmt,
                                              params)
            self.spec.prepare(session, rows)
            return {self.spec.plural: [self.spec.render(r, only)
                                       for r in rows],
                    self.spec.plural + '_links': links}

    @pecan.expose('json')
    def get_one(self, obj_id, *remainder):
        if remainder:
            pecan.abort(404)
        ctx = context()
        only = pagination.selected_fields(pecan.request.GET)
        with db_api.session_scope(readonly=True) as session:
            obj = self.find_read(session, obj_id, ctx)
            self.spec.prepare(session, [obj])
            return {self.spec.singular: self.spec.render(obj, only)}

    @pecan.expose('json')
    def post(self, *args, **kwargs):
        if args:
            raise exceptions.MethodNotAllowed('POST', self.methods(True))
        self._allow(False)
        ctx = context()
        values = f.parse_body(self.spec.fields, json_body(),
                              self.spec.singular, 'POST')
        _null_columns(self.spec, values)
        with db_api.session_scope() as session:
            obj = self.create(session, ctx, values)
            session.add(obj)
            session.flush()
            # Rendered from the new row itself, in its own transaction.
            self.spec.prepare(session, [obj])
            result = (None if self.spec.render_after_commit
                      else self.spec.render(obj))
        if result is None:
            result = self.spec.render(obj)
        self._cast('create', obj)
        pecan.response.status = 201
        return {self.spec.singular: result}

    @pecan.expose('json')
    def put(self, obj_id=None, *args, **kwargs):
        # obj_id is None on the collection's URL.
        self._allow(obj_id is not None)
        ctx = context()
        values = f.parse_body(self.spec.fields, json_body(),
                              self.spec.singular, 'PUT')
        _null_columns(self.spec, values)
        with db_api.session_scope() as session:
            obj = self.find(session, obj_id, ctx, 'put')
            extra = self.update(session, ctx, obj, values) or {}
            # After the resource's own checks, which may word it better.
            _refuse_nulled_columns(self.spec, obj)
            session.flush()
        with db_api.session_scope(readonly=True) as session:
            obj = self.find(session, obj_id)
            self.spec.prepare(session, [obj])
            result = self.spec.render(obj)
        self._cast('update', obj, updates=_jsonable(values), **extra)
        return {self.spec.singular: result}

    @pecan.expose('json')
    def delete(self, obj_id=None, *args, **kwargs):
        self._allow(obj_id is not None)
        ctx = context()
        with db_api.session_scope() as session:
            obj = self.find(session, obj_id, ctx, 'delete')
            extra = self.remove(session, ctx, obj) or {}
        self._cast('delete', obj, **extra)
        pecan.response.status = 204

    def _cast(self, action, obj, **kwargs):
        try:
            self.cast(action, obj, **kwargs)
        except Exception as e:
            self.mark_cast_failed(obj.id, e)
            raise exceptions.OctaviaAAError(
                'The request was stored but the worker could not be '
                'reached; the object is now in ERROR.')


class ActionController:
    """/<collection>/{id}/<action>: the request goes to the method named
    <http verb>_<action> (get_stats, put_failover, ...); others get 405."""

    def __init__(self, obj_id, action):
        self.obj_id = obj_id
        self.action = action

    @pecan.expose('json')
    def index(self):
        handler = getattr(self, '%s_%s' % (pecan.request.method.lower(),
                                           self.action), None)
        if handler is None:
            raise exceptions.MethodNotAllowed(pecan.request.method, [
                name.split('_', 1)[0].upper() for name in dir(self)
                if name.endswith('_' + self.action) and
                name.split('_', 1)[0] in ('get', 'put', 'post', 'delete')])
        return handler(context())

    def accepted(self, method, mark_failed, **kwargs):
        """Cast `method` and answer 202; mark_failed(error) runs if the
        worker cannot be reached."""
        try:
            rpc.cast(method, **kwargs)
        except Exception as e:
            mark_failed(e)
            raise exceptions.OctaviaAAError(
                'The request was stored but the worker could not be '
                'reached; the object is now in ERROR.')
        pecan.response.status = 202


def _null_columns(spec, values):
    """null for a NOT NULL column takes the field's default, or else the
    column's (a JSON column would store JSON null, served back where a
    list or an object is documented)."""
    table = spec.model.__table__
    for field in spec.fields:
        if field.attr not in values or values[field.attr] is not None:
            continue
        column = table.columns.get(field.attr)
        if column is None or column.nullable:
            continue
        if field.default is not f.MISSING:
            values[field.attr] = field.default_value()
        elif isinstance(column.type, sa.JSON) and column.default is not None:
            default = column.default
            # SQLAlchemy wraps a callable default to take a context.
            values[field.attr] = (default.arg(None) if default.is_callable
                                  else default.arg)


def _refuse_nulled_columns(spec, obj):
    """A PUT may not null a NOT NULL column (a column default only
    applies when the row is made): 400 naming the field."""
    table = spec.model.__table__
    for field in spec.fields:
        column = table.columns.get(field.attr)
        if column is not None and not column.nullable and field.put and \
                getattr(obj, field.attr, None) is None:
            raise exceptions.InvalidInput(field.name, None,
                                          'Value should not be null.')


def list_scope(ctx, resource, wanted=None):
    """The project a list is restricted to (None: every project), as
    upstream's _auth_get_all: a global reader may ask for any project or
    all of them; anyone else only for their own, and naming another
    project is a 403, not an empty list."""
    if policy.authorize(ctx, resource, 'get_all-global', wanted,
                        do_raise=False):
        return wanted
    project = wanted or ctx.project_id
    if not project:
        raise exceptions.PolicyForbidden()
    policy.authorize(ctx, resource, 'get_all', project)
    return project


def _jsonable(values):
    return {k: v for k, v in values.items()
            if isinstance(v, (str, int, float, bool, list, dict,
                              type(None)))}


def check_quota(session, ctx, model, resource, project_id, adding=1):
    """403 when `adding` more of `resource` would pass the quota."""
    from octavia_aa.api.v2.controllers import quota
    limit = quota.effective(session, project_id)[resource]
    if limit is None or limit < 0:
        return
    count = resource_q.project_count(session, model, project_id)
    if count + adding > limit:
        raise exceptions.QuotaExceeded(resource)
