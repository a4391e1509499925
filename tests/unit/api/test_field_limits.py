"""Every writable API field fits the column behind it: a value the field
accepts is one the column stores on every backend (a wider value would be
a database error, that is a 500, instead of a 400)."""
import importlib
import pkgutil

import pytest
import sqlalchemy as sa

from octavia_aa.api import fields
from octavia_aa.api.v2 import controllers
from octavia_aa.api.v2.controllers import base

# Fields the controller turns into the stored value (a subnet or network
# name into its id), fills when null (the default provider, the
# listener's load balancer) or refuses null itself (with upstream's
# message): checked by their controller instead.
RESOLVED = {'availability_zone_profile.name',
            'availability_zone_profile.provider_name',
            'availability_zone_profile.availability_zone_data',
            'loadbalancer.vip_subnet_id', 'loadbalancer.vip_network_id',
            'member.subnet_id', 'loadbalancer.provider',
            'pool.loadbalancer_id'}
INT_BITS = ((sa.BigInteger, 63), (sa.SmallInteger, 15), (sa.Integer, 31))


def _specs():
    out = []
    for info in pkgutil.iter_modules(controllers.__path__):
        module = importlib.import_module(controllers.__name__ + '.' +
                                         info.name)
        out += [v for v in vars(module).values() if isinstance(v, base.Spec)]
    return out


def _writable():
    for spec in _specs():
        for field in spec.fields:
            if not (field.post or field.put):
                continue
            col = field.filter_column
            if col is None:
                attr = getattr(spec.model, field.attr, None)
                if attr is None or not hasattr(getattr(
                        attr, 'property', None), 'columns'):
                    continue
                col = attr
            yield pytest.param(spec, field, col.property.columns[0],
                               id='%s.%s' % (spec.singular, field.name))


@pytest.mark.parametrize('spec,field,column', list(_writable()))
def test_field_fits_its_column(spec, field, column):
    if '%s.%s' % (spec.singular, field.name) in RESOLVED:
        return
    kind = column.type
    if field.kind == 'int':
        bits = next(b for t, b in INT_BITS if isinstance(kind, t))
        assert field.minimum is not None and field.maximum is not None
        assert -2 ** bits <= field.minimum <= field.maximum < 2 ** bits
    if field.kind == 'str' and isinstance(kind, sa.String) and kind.length:
        assert field.max_length <= kind.length
    if field.kind == 'uuid' and isinstance(kind, sa.String) and kind.length:
        assert kind.length >= 36
    if not column.nullable and column.default is None and \
            column.server_default is None:
        assert not field.nullable, 'null would break NOT NULL'


def test_int_fields_get_the_column_range_by_default():
    field = fields.Field('n', 'int')
    assert (field.minimum, field.maximum) == fields.INT_RANGE
    with pytest.raises(Exception, match='2147483647'):
        field.validate(2 ** 31)
    assert fields.Field('n', 'int', minimum=0).minimum == 0


def test_a_required_field_is_not_nullable_unless_said():
    assert not fields.Field('address', 'ip', required=True).nullable
    assert fields.Field('name', required=True, nullable=True).nullable
    assert fields.Field('name').nullable
