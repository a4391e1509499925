"""Declarative fields of an API resource: validation of request bodies and
rendering of rows, in one place per resource.

A Field names the API attribute, the model attribute behind it, its type and
limits, and whether POST and PUT accept it.  Validation errors name the
field, the way upstream's WSME messages do.
"""
import ipaddress
import math
import operator
import re

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


# The strings WSME reads as booleans (case-sensitive, as WSME's are).
_TRUE = ('true', 't', 'yes', 'y', 'on', '1')
_FALSE = ('false', 'f', 'no', 'n', 'off', '0')


def _coerce_int(value):
    """An integer from an int, an integral float or a decimal string, the
    way WSME converts (the CLI sends connection_limit as "1000"); None when
    it is none of these."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        text = value.strip()
        if text.startswith(('+', '-')):
            sign, text = text[0], text[1:]
        else:
            sign = ''
        # ASCII digits only: int() also reads other scripts' digits.
        if text.isascii() and text.isdigit():
            return int(sign + text)
    return None


def _coerce_float(value):
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return value
    if isinstance(value, str):
        try:
            number = float(value)
        except ValueError:
            return None
        return number if math.isfinite(number) else None
    return None


def _coerce_bool(value):
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return bool(value)
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    return None


class Field:
    """One attribute of a resource.

    kind: 'str', 'uuid', 'bool', 'int', 'ip', 'enum', 'str_list', 'dict',
    'float'.  attr: model attribute (default: same name); a callable
    renders a value that is not a plain column.
    """

    def __init__(self, name, kind='str', *, attr=None, post=True, put=True,
                 required=False, default=MISSING, nullable=None, choices=None,
                 minimum=None, maximum=None, max_length=255, render=None,
                 filter_column=None, read_only=False, pattern=None,
                 check=None):
        self.name = name
        self.kind = kind
        self.attr = attr or name
        self.post = post and not read_only
        self.put = put and not read_only
        self.required = required
        self.default = default
        # Unless said otherwise, a mandatory attribute cannot be null.
        self.nullable = (not required) if nullable is None else nullable
        self.choices = choices
        self.minimum, self.maximum = default_limits(kind, minimum, maximum)
        self.max_length = max_length
        self.render = render
        self.filter_column = filter_column
        # Upstream's WSME StringType(pattern=...) and the value checks of
        # its UserTypes (octavia_aa/api/validate.py), run after the type.
        self.pattern = re.compile(pattern) if pattern else None
        self.check = check

    def default_value(self):
        return self.default() if callable(self.default) else self.default

    def resets(self):
        """Whether a null puts the field back to a default that is not
        null itself."""
        return self.default is not MISSING and self.default is not None

    def _bad(self, value, reason):
        raise exceptions.InvalidInput(self.name, value, reason)

    def validate(self, value):
        """The value converted to its Python type, or InvalidInput."""
        if value is None:
            if not self.nullable:
                self._bad(value, 'Value should not be null.')
            return None
        if self.kind in _STRING_KINDS and not isinstance(value, str):
            if self.kind == 'enum' and isinstance(value, (int, float)) and (
                    value in (self.choices or ())):
                return value
            self._bad(value, 'Value should be a string.')
        check = _KIND_CHECKS.get(self.kind)
        if check is not None:
            value = check(self, value)
        return self._finish(value)

    # One check per kind (validate() dispatches on the kind); each returns
    # the value converted, or raises InvalidInput.
    def _check_str(self, value):
        if len(value) > self.max_length:
            self._bad(value, 'Value should have a length not greater '
                             'than %d.' % self.max_length)
        return value

    def _check_uuid(self, value):
        if not uuidutils.is_uuid_like(value):
            self._bad(value, 'Value should be UUID format')
        return value

    def _check_ip(self, value):
        try:
            return str(ipaddress.ip_address(value))
        except ValueError:
            self._bad(value, 'Value should be IPv4 or IPv6 format')

    def _check_enum(self, value):
        if value not in self.choices:
            self._bad(value, 'Value should be one of: %s' % ', '.join(
                str(ch) for ch in self.choices))
        return value

    def _check_bool(self, raw):
        value = _coerce_bool(raw)
        if value is None:
            self._bad(raw, 'Value should be a boolean.')
        return value

    def _check_number(self, raw):
        value = (_coerce_int(raw) if self.kind == 'int'
                 else _coerce_float(raw))
        if value is None:
            self._bad(raw, 'Value should be %s.' % (
                'an integer' if self.kind == 'int' else 'a number'))
        if self.minimum is not None and value < self.minimum:
            self._bad(value, 'Value should be greater or equal to %s'
                      % self.minimum)
        if self.maximum is not None and value > self.maximum:
            self._bad(value, 'Value should be lower or equal to %s'
                      % self.maximum)
        return value

    def _check_str_list(self, value):
        if not isinstance(value, list) or not all(
                isinstance(v, str) for v in value):
            self._bad(value, 'Value should be a list of strings.')
        return value

    def _check_dict(self, value):
        if not isinstance(value, dict):
            self._bad(value, 'Value should be an object.')
        return value

    def _finish(self, value):
        if self.kind == 'ip' and '%' in value:
            # Upstream parses with inet_pton, which has no zone ids.
            self._bad(value, 'Value should be IPv4 or IPv6 format')
        if self.pattern is not None and not self.pattern.search(value):
            self._bad(value, 'Value should match the pattern %s'
                      % self.pattern.pattern)
        if self.check is not None:
            value = self.check(self, value)
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


_STRING_KINDS = ('str', 'uuid', 'ip', 'enum')
_KIND_CHECKS = {'str': Field._check_str, 'uuid': Field._check_uuid,
                'ip': Field._check_ip, 'enum': Field._check_enum,
                'bool': Field._check_bool, 'int': Field._check_number,
                'float': Field._check_number,
                'str_list': Field._check_str_list,
                'dict': Field._check_dict}


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
            if data[name] is None and field.resets():
                # null (what `openstack ... unset` sends) puts the field
                # back to its default, as upstream's _set_default_on_none.
                result[field.attr] = field.default_value()
            else:
                result[field.attr] = field.validate(data[name])
        elif method == 'POST':
            if field.required:
                raise exceptions.InvalidInput(
                    name, None, 'Mandatory field missing.')
            if field.default is not MISSING:
                result[field.attr] = field.default_value()
    return result


def render(fields, obj, only=None):
    if only:
        return {f.name: f.value_of(obj) for f in fields if f.name in only}
    return {f.name: f.value_of(obj) for f in fields}


def getters(fields):
    """[(API name, obj -> value)] of `fields`, what render() does per
    field without its per-call dispatch."""
    return [(fl.name, fl.render or operator.attrgetter(fl.attr))
            for fl in fields]


def ids(attr):
    """Render a relationship as [{"id": ...}] (Octavia's shape)."""
    return lambda obj: [{'id': o.id} for o in getattr(obj, attr)]


def timestamp(attr):
    def _render(obj):
        value = getattr(obj, attr)
        return value.isoformat() if value is not None else None
    return _render


def _tags(field, values):
    for tag in values:
        if len(tag) > 255:
            field._bad(tag, 'Value should have a length not greater than '
                            '255.')
    return values


# Fields most user objects share (names as the v2 API spells them).
def common(name_put=True, description=True):
    out = [
        Field('id', 'uuid', read_only=True),
        Field('name', put=name_put, default=None),
        Field('project_id', 'str', post=True, put=False, max_length=36),
        # Upstream's deprecated alias of project_id in request bodies.
        Field('tenant_id', 'str', attr='project_id', put=False,
              max_length=36, render=lambda obj: obj.project_id),
        Field('provisioning_status', read_only=True),
        Field('operating_status', read_only=True),
        Field('admin_state_up', 'bool', attr='enabled', default=True,
              nullable=False),
        Field('tags', 'str_list', default=list, nullable=False,
              check=_tags),
        Field('created_at', read_only=True, render=timestamp('created_at')),
        Field('updated_at', read_only=True, render=timestamp('updated_at')),
    ]
    if description:
        out.insert(2, Field('description', default=''))
    return out
