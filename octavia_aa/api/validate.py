"""Value checks several resources share, with the rules (and limits) of
upstream Octavia's API types and octavia/common/validate.py, so a request
upstream accepts is accepted here and one it refuses is refused.

Field-level checks are callables `check(field, value) -> value` for
Field(check=...); cross-field checks raise InvalidInput/ValidationError
naming the field.
"""
import ipaddress
import re

from oslo_utils import uuidutils
from rfc3986 import exceptions as rfc_exceptions
from rfc3986 import uri_reference
from rfc3986 import validators

from octavia_aa.common import exceptions

TLS_VERSIONS = ('SSLv3', 'TLSv1', 'TLSv1.1', 'TLSv1.2', 'TLSv1.3')
ALPN_PROTOCOLS = ('h2', 'http/1.1', 'http/1.0')
HTTP_HEADERS = ('X-Forwarded-For', 'X-Forwarded-Port', 'X-Forwarded-Proto',
                'X-Forwarded-IP', 'X-Client-IP', 'X-Real-IP')
SSL_HEADERS = ('X-SSL-Client-Verify', 'X-SSL-Client-Has-Cert',
               'X-SSL-Client-DN', 'X-SSL-Client-CN', 'X-SSL-Issuer',
               'X-SSL-Client-SHA1', 'X-SSL-Client-Not-Before',
               'X-SSL-Client-Not-After')

# The character classes of RFC 7230/6265 upstream enforces on header and
# cookie names and values (they end up in the HAProxy configuration).
HEADER_NAME_RE = re.compile(r"\A[a-zA-Z0-9!#$%&'*+-.^_`|~]+\Z")
COOKIE_VALUE_RE = re.compile(r"\A[a-zA-Z0-9!#$%&'()*+-./:<=>?@[\]^_`{|}~]+\Z")
HEADER_VALUE_RE = re.compile(
    r"\A[a-zA-Z0-9!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\]+\Z")
QUOTED_HEADER_VALUE_RE = re.compile(
    r"\A\"[a-zA-Z0-9 \t!\"#$%&'()*+,-./:;<=>?@[\]^_`{|}~\\]*\"\Z")
DN_FIELD_RE = re.compile(r'^([a-zA-Z][A-Za-z0-9-]*)$')
# Upstream's patterns end in `$`, which also matches before a trailing
# newline ('example.com\n' passes and reaches the HAProxy configuration);
# here `\Z`, and ASCII digits only.
DOMAIN_NAME_RE = re.compile(
    r'\A(?=.{1,253}\.?\Z)(?:(?!-|[^.]+_)[A-Za-z0-9-_]{1,63}(?<!-)'
    r'(?:\.|\Z))+\Z')
EXPECTED_CODES_RE = re.compile(
    r'(?a)\A(\d{3}(\s*,\s*\d{3})*)\Z|\A(\d{3}-\d{3})\Z')
NO_NEWLINE_RE = re.compile(r'\A[^\r\n]*\Z')
COOKIE_NAME_RE = re.compile(r'^[^\s,;\\]+$')
BAD_COOKIE_NAME_RE = re.compile(
    r'[\x00-\x20\x22\x28-\x29\x2c\x2f\x3a-\x40\x5b-\x5d\x7b\x7d\x7f]+')
CIPHERS_RE = re.compile(r'^[A-Za-z0-9\-+!:@=_.]+\Z')
# Control characters and spaces: rfc3986 would percent-encode them and let
# them through, but the raw string is what reaches the HAProxy config.
URL_BAD_CHARS_RE = re.compile(r'[\x00-\x20\x7f-\x9f]')


def bad(field, value, reason):
    raise exceptions.InvalidInput(field, value, reason)


def items(max_length=255, choices=None, kind=None):
    """Check for a list of strings: each at most max_length, or one of
    `choices`, or a UUID/CIDR (kind)."""
    def _check(field, values):
        if values is None:
            return values
        out = []
        for v in values:
            if choices is not None and v not in choices:
                bad(field.name, v, 'Value should be one of: %s'
                    % ', '.join(choices))
            if len(v) > max_length:
                bad(field.name, v, 'Value should have a length not greater '
                                   'than %d.' % max_length)
            if kind == 'cidr':
                v = cidr(field.name, v)
            elif kind == 'uuid':
                if not uuidutils.is_uuid_like(v):
                    bad(field.name, v, 'Value should be UUID format')
            out.append(v)
        return out
    return _check


def cidr(name, value):
    try:
        return ipaddress.ip_network(value, strict=False).with_prefixlen
    except ValueError:
        bad(name, value, 'Value should be IPv4 or IPv6 CIDR format')


def matches(regex, reason):
    def _check(field, value):
        if value is not None and not regex.search(value):
            bad(field.name, value, reason)
        return value
    return _check


def url(field, value):
    """An http(s) URL with a host, as upstream's URLType."""
    if value is None:
        return value
    ok = not URL_BAD_CHARS_RE.search(value)
    if ok:
        validator = (validators.Validator().allow_schemes('http', 'https')
                     .require_presence_of('scheme', 'host')
                     .check_validity_of('scheme', 'host', 'path'))
        try:
            validator.validate(uri_reference(value))
        except rfc_exceptions.RFC3986Exception:
            ok = False
    if not ok:
        bad(field.name, value, 'Value must be a valid URL string')
    return value


def url_path(field, value):
    """A path starting with '/' and nothing else (upstream URLPathType)."""
    if value is None:
        return value
    try:
        ref = uri_reference(value)
        validators.Validator().check_validity_of('path').validate(ref)
        ok = not (re.search(r'\s', value) or ref.scheme or ref.userinfo or
                  ref.host or ref.port or ref.path is None or
                  not ref.path.startswith('/'))
    except (rfc_exceptions.RFC3986Exception, ValueError):
        ok = False
    if not ok:
        bad(field.name, value, 'Value must be a valid URL Path string')
    return value


def regex(name, value):
    try:
        re.compile(value)
    except re.error as e:
        bad(name, value, 'Unable to parse regular expression: %s' % e)


def header_value(name, value, what):
    if not (HEADER_VALUE_RE.match(value) or
            QUOTED_HEADER_VALUE_RE.match(value)):
        bad(name, value, 'Invalid characters in %s' % what)


def ciphers(field, value):
    if value and not CIPHERS_RE.match(value):
        bad(field.name, value, 'Invalid characters in cipher string. Only '
                               'alphanumeric, -, +, !, :, @, =, _, and . '
                               'are allowed.')
    return value


def _not_empty(values, name, what):
    """Upstream: null means the default, an empty list is refused."""
    if values is not None and not values:
        bad(name, values, 'Empty %s list. Either specify at least one %s or '
                          'remove this parameter to use the default.'
                          % (what, what))
    return values is not None


def tls_versions(values, name='tls_versions'):
    """Upstream's check_tls_version_list: not empty, known versions."""
    if _not_empty(values, name, 'TLS version'):
        wrong = [v for v in values if v not in TLS_VERSIONS]
        if wrong:
            bad(name, values, 'Invalid TLS versions: %s' % ', '.join(wrong))


def alpn_protocols(values, name='alpn_protocols'):
    _not_empty(values, name, 'ALPN protocol')


def ip_family_matches(name, cidrs, vip_address):
    """Every allowed CIDR must be of the VIP's IP version."""
    version = ipaddress.ip_address(vip_address).version
    for value in cidrs or ():
        if ipaddress.ip_network(value, strict=False).version != version:
            raise exceptions.ValidationError(
                'CIDR %s IP version incompatible with all VIPs %s IP '
                'version.' % (value, [vip_address]))
