"""List queries: filters on any field, sorting, keyset pagination with
next/previous links, and `fields=` selection (Octavia's query syntax)."""
import urllib.parse

from oslo_utils import timeutils
import pecan
import sqlalchemy as sa

from octavia_aa.api import fields
from octavia_aa.common import config
from octavia_aa.common import exceptions

CONF = config.CONF
RESERVED = {'limit', 'marker', 'page_reverse', 'sort', 'sort_key',
            'sort_dir', 'fields', 'tags', 'tags-any', 'not-tags',
            'not-tags-any', 'project_id', 'tenant_id'}


# Columns a list can be filtered and sorted on: scalars only (comparing
# or ordering JSON is an error on PostgreSQL and meaningless elsewhere).
_SCALAR = (sa.String, sa.Integer, sa.Boolean, sa.DateTime, sa.Enum)
# The signed range of each integer column type.
_INT_BITS = ((sa.BigInteger, 63), (sa.SmallInteger, 15), (sa.Integer, 31))


def _column(spec, field):
    if field.filter_column is not None:
        col = field.filter_column
    else:
        col = getattr(spec.model, field.attr, None)
        if col is None or not hasattr(col, 'property') or not hasattr(
                col.property, 'columns'):
            return None
    if not isinstance(col.type, _SCALAR):
        return None
    return col


def _query_value(field, col, raw):
    """A query-string value converted for comparing with `col` (by the
    column's type: a read-only field may be declared as text)."""
    kind = col.type
    if isinstance(kind, sa.Boolean):
        return fields.Field(field.name, 'bool').parse_query(raw)
    if isinstance(kind, sa.Integer):
        value = fields.Field(field.name, 'int').parse_query(raw)
        bits = next(b for t, b in _INT_BITS if isinstance(kind, t))
        if not -2 ** bits <= value < 2 ** bits:
            raise exceptions.InvalidInput(
                field.name, raw, 'Value should be an integer from %d to %d.'
                % (-2 ** bits, 2 ** bits - 1))
        return value
    if isinstance(kind, sa.DateTime):
        try:
            return timeutils.normalize_time(timeutils.parse_isotime(raw))
        except ValueError:
            raise exceptions.InvalidInput(
                field.name, raw, 'Value should be an ISO 8601 date and time.')
    return field.parse_query(raw)


def _sort_keys(spec, params):
    pairs = []
    if params.get('sort'):
        for item in params['sort'].split(','):
            key, _, direction = item.strip().partition(':')
            pairs.append((key, direction or 'asc'))
    elif params.get('sort_key'):
        keys = params.getall('sort_key')
        dirs = params.getall('sort_dir') or ['asc']
        pairs = [(k, dirs[min(i, len(dirs) - 1)])
                 for i, k in enumerate(keys)]
    if pairs and not CONF.api_settings.allow_sorting:
        raise exceptions.ValidationError('sorting is disabled.')
    keys = []
    for key, direction in pairs:
        field = spec.field(key)
        col = _column(spec, field) if field else None
        if col is None:
            raise exceptions.InvalidInput('sort', key,
                                          'It is not a sortable field.')
        if direction not in ('asc', 'desc'):
            raise exceptions.InvalidInput('sort_dir', direction,
                                          'Value should be asc or desc.')
        keys.append((col, direction))
    if not keys:
        keys.append((spec.model.created_at if hasattr(
            spec.model, 'created_at') else spec.model.id, 'asc'))
    keys.append((spec.model.id, 'asc'))
    return keys


def _tag_filter(column, tag):
    # Tags are a JSON list; matching its text form works on SQLite,
    # MariaDB and PostgreSQL alike.
    return sa.cast(column, sa.Text).like('%%"%s"%%' % tag.replace('"', ''))


def apply_filters(spec, stmt, params):
    for key in params.keys():
        if key in RESERVED:
            continue
        field = spec.filter_field(key)
        col = _column(spec, field) if field else None
        if col is None:
            raise exceptions.InvalidInput(
                key, params[key], 'It is not a field to filter on.')
        values = [_query_value(field, col, v) for v in params.getall(key)]
        stmt = stmt.where(col.in_(values) if len(values) > 1
                          else col == values[0])
    if hasattr(spec.model, 'tags'):
        tags = spec.model.tags
        for key, combine, negate in (('tags', sa.and_, False),
                                     ('tags-any', sa.or_, False),
                                     ('not-tags', sa.and_, True),
                                     ('not-tags-any', sa.or_, True)):
            if key not in params:
                continue
            names = [t for v in params.getall(key) for t in v.split(',')]
            cond = combine(*[_tag_filter(tags, t) for t in names])
            stmt = stmt.where(sa.not_(cond) if negate else cond)
    return stmt


def paginate(session, spec, stmt, params):
    """Run the list query; returns (rows, links)."""
    limit = params.get('limit')
    max_limit = CONF.api_settings.pagination_max_limit
    if limit is not None:
        try:
            limit = int(limit)
        except ValueError:
            raise exceptions.InvalidInput('limit', limit,
                                          'Value should be an integer.')
        if limit < 0:
            raise exceptions.InvalidInput('limit', limit,
                                          'Value should be positive.')
        limit = min(limit, max_limit) or max_limit
    elif not CONF.api_settings.allow_pagination:
        limit = None
    marker = params.get('marker')
    reverse = params.get('page_reverse', 'false').lower() == 'true'
    keys = _sort_keys(spec, params)
    if reverse:
        keys = [(col, 'desc' if d == 'asc' else 'asc') for col, d in keys]
    if marker:
        mvals = session.execute(
            sa.select(*[col for col, _ in keys]).select_from(
                spec.list_from()).where(spec.model.id == marker)).first()
        if mvals is None:
            raise exceptions.NotFound('Marker', marker)
        conds = []
        for i, (col, direction) in enumerate(keys):
            if mvals[i] is None:
                continue
            cmp = col > mvals[i] if direction == 'asc' else col < mvals[i]
            conds.append(sa.and_(*[keys[j][0] == mvals[j]
                                   for j in range(i)], cmp))
        stmt = stmt.where(sa.or_(*conds))
    stmt = stmt.order_by(*[col.asc() if d == 'asc' else col.desc()
                           for col, d in keys])
    if limit:
        stmt = stmt.limit(limit + 1)
    rows = spec.read_rows(session, stmt)
    more = bool(limit) and len(rows) > limit
    rows = rows[:limit] if limit else rows
    if reverse:
        rows.reverse()
    links = []
    if rows and limit:
        if more or (reverse and marker):
            links.append(_link(params, rows[-1].id, limit, 'next'))
        if marker and (not reverse or more):
            links.append(_link(params, rows[0].id, limit, 'previous'))
    return rows, links


def _link(params, marker, limit, rel):
    query = [(k, v) for k, v in params.items()
             if k not in ('marker', 'limit', 'page_reverse')]
    query += [('limit', limit), ('marker', marker)]
    if rel == 'previous':
        query.append(('page_reverse', 'True'))
    base = CONF.api_settings.api_base_uri or pecan.request.host_url
    return {'href': '%s%s?%s' % (base.rstrip('/'), pecan.request.path,
                                 urllib.parse.urlencode(query)),
            'rel': rel}


def selected_fields(params):
    fields = [f for v in params.getall('fields') for f in v.split(',')]
    if fields and not CONF.api_settings.allow_field_selection:
        raise exceptions.ValidationError('field selection is disabled.')
    return set(fields)


def static_list(items, params):
    """Filters (on any key the items have) and `fields=` for lists that
    are not rows: providers and their capabilities."""
    keys = set(items[0]) if items else {'name', 'description'}
    for key in params.keys():
        if key in RESERVED:
            continue
        if key not in keys:
            raise exceptions.InvalidInput(
                key, params[key], 'It is not a field to filter on.')
        wanted = params.getall(key)
        items = [i for i in items if str(i[key]) in wanted]
    only = selected_fields(params)
    if only:
        items = [{k: v for k, v in i.items() if k in only} for i in items]
    return items
