"""Declarative fields of an API resource: validation of request bodies and
rendering of rows, in one place per resource.

A Field names the API attribute, the model attribute behind it, its type and
limits, and whether POST and PUT accept it.  Validation errors name the
field, the way upstream's WSME messages do.
"""
import ipaddress

from oslo_utils import uuidutils

from octavia_aa.common import exceptions

MISSING = object()

# The range of the Integer columns behind 'int' fields (32-bit on every
# backend): a field declared without a bound gets the column's, so an
# out-of-range number is a 400 rather than a database error.
INT_RANGE = (-2 ** 31, 2 ** 31 - 1)


def default_limits(kind, minimum, maximum):
    """(minimum, maximum) of a field, the column's range where unset."""
    if kind == 'int':
        return (INT_RANGE[0] if minimum is None else minimum,
                INT_RANGE[1] if maximum is None else maximum)
    return minimum, maximum


class Field:
    """One attribute of a resource.

    kind: 'str', 'uuid', 'bool', 'int', 'ip', 'enum', 'str_list', 'dict',
    'float'.  attr: model attribute (default: same name); a callable
    renders a value that is not a plain column.
    """

    def __init__(self, name, kind='str', *, attr=None, post=True, put=True,
                 required=False, default=MISSING, nullable=True, choices=None,
                 minimum=None, maximum=None, max_length=255, render=None,
                 filter_column=None, read_only=False):
        self.name = name
        self.kind = kind
        self.attr = attr or name
        self.post = post and not read_only
        self.put = put and not read_only
        self.required = required
        self.default = default
        # A mandatory attribute cannot be given as null either.
        self.nullable = nullable and not required
        self.choices = choices
        self.minimum, self.maximum = default_limits(kind, minimum, maximum)
        self.max_length = max_length
        self.render = render
        self.filter_column = filter_column

    def _bad(self, value, reason):
        raise exceptions.InvalidInput(self.name, value, reason)

    def validate(self, value):
        """The value converted to its Python type, or InvalidInput."""
        if value is None:
            if not self.nullable:
                self._bad(value, 'Value should not be null.')
            return None
        kind = self.kind
        if kind in ('str', 'uuid', 'ip', 'enum') and not isinstance(
                value, str):
            if kind == 'enum' and isinstance(value, (int, float)) and (
                    value in (self.choices or ())):
                return value
            self._bad(value, 'Value should be a string.')
        if kind == 'str':
            if len(value) > self.max_length:
                self._bad(value, 'Value should have a length not greater '
                                 'than %d.' % self.max_length)
        elif kind == 'uuid':
            if not uuidutils.is_uuid_like(value):
                self._bad(value, 'Value should be UUID format')
        elif kind == 'ip':
            try:
                value = str(ipaddress.ip_address(value))
            except ValueError:
                self._bad(value, 'Value should be IPv4 or IPv6 format')
        elif kind == 'enum':
            if value not in self.choices:
                self._bad(value, 'Value should be one of: %s' % ', '.join(
                    str(ch) for ch in self.choices))
        elif kind == 'bool':
            if not isinstance(value, bool):
                self._bad(value, 'Value should be a boolean.')
        elif kind in ('int', 'float'):
            if isinstance(value, bool) or not isinstance(
                    value, (int, float) if kind == 'float' else int):
                self._bad(value, 'Value should be %s.' % (
                    'an integer' if kind == 'int' else 'a number'))
            if self.minimum is not None and value < self.minimum:
                self._bad(value, 'Value should be greater or equal to %s'
                          % self.minimum)
            if self.maximum is not None and value > self.maximum:
                self._bad(value, 'Value should be lower or equal to %s'
                          % self.maximum)
        elif kind == 'str_list':
            if not isinstance(value, list) or not all(
                    isinstance(v, str) for v in value):
                self._bad(value, 'Value should be a list of strings.')
        elif kind == 'dict':
            if not isinstance(value, dict):
                self._bad(value, 'Value should be an object.')
        return value

    def parse_query(self, raw):
        """Convert a query-string value for filtering."""
        if self.kind == 'bool':
            lowered = raw.lower()
            if lowered in ('true', '1', 'yes'):
                return True
            if lowered in ('false', '0', 'no'):
                return False
            self._bad(raw, 'Value should be a boolean.')
        if self.kind == 'int':
            try:
                return int(raw)
            except ValueError:
                self._bad(raw, 'Value should be an integer.')
        return raw

    def value_of(self, obj):
        if self.render is not None:
            return self.render(obj)
        return getattr(obj, self.attr)


def parse_body(fields, body, wrapper, method):
    """Validate the JSON body of a POST or PUT; returns {attr: value} for
    the model (only the keys the client sent, plus POST defaults)."""
    if not isinstance(body, dict) or wrapper not in body:
        raise exceptions.ValidationError(
            'the request body must be a JSON object with a "%s" key.'
            % wrapper)
    data = body[wrapper]
    if not isinstance(data, dict):
        raise exceptions.InvalidInput(wrapper, data,
                                      'Value should be an object.')
    allowed = {f.name: f for f in fields
               if (f.post if method == 'POST' else f.put)}
    unknown = sorted(set(data) - set(allowed))
    if unknown:
        raise exceptions.InvalidInput(
            unknown[0], data[unknown[0]],
            'Unknown attribute for argument %s, or it cannot be set with %s.'
            % (wrapper, method))
    result = {}
    for name, field in allowed.items():
        if name in data:
            result[field.attr] = field.validate(data[name])
        elif method == 'POST':
            if field.required:
                raise exceptions.InvalidInput(
                    name, None, 'Mandatory field missing.')
            if field.default is not MISSING:
                result[field.attr] = (field.default() if callable(
                    field.default) else field.default)
    return result


def render(fields, obj, only=None):
    if only:
        return {f.name: f.value_of(obj) for f in fields if f.name in only}
    return {f.name: f.value_of(obj) for f in fields}


def ids(attr):
    """Render a relationship as [{"id": ...}] (Octavia's shape)."""
    return lambda obj: [{'id': o.id} for o in getattr(obj, attr)]


def timestamp(attr):
    def _render(obj):
        value = getattr(obj, attr)
        return value.isoformat() if value is not None else None
    return _render


# Fields most user objects share (names as the v2 API spells them).
def common(name_put=True, description=True):
    out = [
        Field('id', 'uuid', read_only=True),
        Field('name', put=name_put, default=None),
        Field('project_id', 'str', post=True, put=False, max_length=36),
        Field('provisioning_status', read_only=True),
        Field('operating_status', read_only=True),
        Field('admin_state_up', 'bool', attr='enabled', default=True,
              nullable=False),
        Field('tags', 'str_list', default=list, nullable=False),
        Field('created_at', read_only=True, render=timestamp('created_at')),
        Field('updated_at', read_only=True, render=timestamp('updated_at')),
    ]
    if description:
        out.insert(2, Field('description', default=''))
    return out
