"""What every piece of client input must be before the API looks at it:
JSON bodies of bounded depth with no NaN or Infinity, and text with no
NUL, no lone UTF-16 surrogate and no other control characters a database
or a configuration file would choke on.

These are refused with a 400 here, once, rather than reaching a database
driver (PostgreSQL refuses NUL, every driver fails to encode a lone
surrogate) or a renderer (NaN is not JSON) as a 500.
"""
import json
import math
import re

from octavia_aa.common import exceptions

# Octavia's bodies are at most four levels deep (members batch: object,
# list, object, value); the JSON decoder itself would recurse thousands of
# levels and fail with RecursionError.
MAX_DEPTH = 32
# Upstream Octavia's project_id columns are String(36).
PROJECT_ID_MAX = 36
# C0 controls but tab, LF and CR (a description may hold a newline), DEL,
# and lone surrogates (json.loads makes them from "\ud800").
_BAD_TEXT = re.compile('[\x00-\x08\x0b\x0c\x0e-\x1f\x7f\ud800-\udfff]')


def _no_constant(name):
    raise ValueError('%s is not a JSON number' % name)


def _finite(text):
    # 1e999 is valid JSON but no float: it would come back as Infinity.
    value = float(text)
    if math.isinf(value):
        raise ValueError('%s is beyond the range of a number' % text[:40])
    return value


def check_text(where, value):
    """InvalidInput unless `value` is text a database stores as given."""
    bad = _BAD_TEXT.search(value)
    if bad is not None:
        raise exceptions.InvalidInput(
            where, value.encode('unicode_escape').decode('ascii')[:80],
            'Value should not contain the character U+%04X.'
            % ord(bad.group()))
    return value


def loads(raw, where='body'):
    """Parse JSON text or bytes; InvalidInput/ValidationError on anything
    the API would not store as sent."""
    if isinstance(raw, bytes):
        try:
            raw = raw.decode('utf-8')
        except UnicodeDecodeError as e:
            raise exceptions.ValidationError(
                'the %s is not valid UTF-8: %s' % (where, e))
    try:
        value = json.loads(raw, parse_constant=_no_constant,
                           parse_float=_finite)
    except RecursionError:
        raise exceptions.ValidationError(
            'the %s is nested more than %d levels deep.' % (where, MAX_DEPTH))
    except ValueError as e:
        raise exceptions.ValidationError('the %s is not valid JSON: %s'
                                         % (where, e))
    check_tree(value, where)
    return value


def check_tree(value, where='body'):
    """Walk a decoded JSON value without recursion: bounded depth, clean
    text in keys and values."""
    stack = [(value, 1, where)]
    while stack:
        item, depth, path = stack.pop()
        if isinstance(item, str):
            check_text(path, item)
            continue
        if not isinstance(item, (dict, list)):
            continue
        if depth > MAX_DEPTH:
            raise exceptions.ValidationError(
                'the %s is nested more than %d levels deep.'
                % (where, MAX_DEPTH))
        if isinstance(item, dict):
            for key, sub in item.items():
                check_text(path, key)
                stack.append((sub, depth + 1, key))
        else:
            stack.extend((sub, depth + 1, path) for sub in item)


def check_project_id(where, value):
    """A project id the project_id columns can hold."""
    if value is None:
        return None
    if len(value) > PROJECT_ID_MAX:
        raise exceptions.InvalidInput(
            where, value[:80] + '...', 'Value should have a length not '
            'greater than %d.' % PROJECT_ID_MAX)
    return check_text(where, value)
