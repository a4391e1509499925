"""Validation of request bodies; errors name the offending field."""
import ipaddress
import re

from distributor_agent import errors
from distributor_agent import ruleset
from distributor_agent import state
from octavia_aa.common import wire

MAC_RE = re.compile(r'^[0-9a-fA-F]{2}(:[0-9a-fA-F]{2}){5}$')
IFNAME_RE = re.compile(r'^[A-Za-z0-9_.-]{1,15}$')


def _obj(body, field='body'):
    if not isinstance(body, dict):
        raise errors.BadRequest(field, 'must be a JSON object')
    return body


def _ip(field, value):
    try:
        return str(ipaddress.ip_address(value))
    except (ValueError, TypeError):
        raise errors.BadRequest(field, 'not an IP address: %r' % (value,))


def _mac(field, value):
    if not isinstance(value, str) or not MAC_RE.match(value):
        raise errors.BadRequest(field, 'not a MAC address: %r' % (value,))
    return value.lower()


def _int(field, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, int) or \
            not lo <= value <= hi:
        raise errors.BadRequest(field, 'must be an integer in [%d, %d]'
                                % (lo, hi))
    return value


def _str(field, value):
    if not isinstance(value, str) or not value or len(value) > 255:
        raise errors.BadRequest(field, 'must be a non-empty string')
    return value


def plug(body):
    body = _obj(body)
    unknown = set(body) - {'vip_address', 'affinity', 'probe_port',
                           'mac_address', 'interface', 'subnet_cidr',
                           'gateway', 'vrrp_ip', 'host_routes', 'prober'}
    if unknown:
        raise errors.BadRequest(sorted(unknown)[0], 'unknown field')
    if 'vip_address' not in body:
        raise errors.BadRequest('vip_address', 'required')
    out = {'vip_address': _ip('vip_address', body['vip_address'])}
    affinity = body.get('affinity', 'SOURCE_IP')
    if affinity not in ruleset.AFFINITIES:
        raise errors.BadRequest('affinity', 'one of %s'
                                % ', '.join(ruleset.AFFINITIES))
    out['affinity'] = affinity
    if 'probe_port' in body:
        out['probe_port'] = _int('probe_port', body['probe_port'], 1, 65535)
    if body.get('mac_address') is not None:
        out['mac_address'] = _mac('mac_address', body['mac_address'])
    if body.get('interface') is not None:
        if not isinstance(body['interface'], str) or \
                not IFNAME_RE.match(body['interface']):
            raise errors.BadRequest('interface', 'not an interface name')
        out['interface'] = body['interface']
    if body.get('subnet_cidr') is not None:
        try:
            out['subnet_cidr'] = str(ipaddress.ip_network(
                body['subnet_cidr'], strict=False))
        except (ValueError, TypeError):
            raise errors.BadRequest('subnet_cidr', 'not a CIDR')
    if body.get('gateway') is not None:
        out['gateway'] = _ip('gateway', body['gateway'])
    if body.get('prober') is not None:
        out['prober'] = prober(body['prober'])
    return out


def _seconds(field, value, lo, hi):
    if isinstance(value, bool) or not isinstance(value, (int, float)) or \
            not lo <= value <= hi:
        raise errors.BadRequest(field, 'must be a number of seconds in '
                                '[%g, %g]' % (lo, hi))
    return float(value)


def prober(body):
    """The controller's prober settings (all of them, or none)."""
    body = _obj(body, 'prober')
    unknown = set(body) - {'interval', 'timeout', 'fall'}
    if unknown:
        raise errors.BadRequest('prober.' + sorted(unknown)[0],
                                'unknown field')
    for key in ('interval', 'timeout', 'fall'):
        if key not in body:
            raise errors.BadRequest('prober.' + key, 'required')
    return {'interval': _seconds('prober.interval', body['interval'],
                                 0.01, 60),
            'timeout': _seconds('prober.timeout', body['timeout'], 0.01, 60),
            'fall': _int('prober.fall', body['fall'], 1, 100)}


def register(body, max_positions):
    body = _obj(body)
    amps = body.get('amphorae')
    if not isinstance(amps, list):
        raise errors.BadRequest('amphorae', 'required list')
    exclusive = body.get('exclusive', False)
    if not isinstance(exclusive, bool):
        raise errors.BadRequest('exclusive', 'must be true or false')
    out, ids, positions = [], set(), set()
    for i, amp in enumerate(amps):
        f = 'amphorae[%d].' % i
        _obj(amp, 'amphorae[%d]' % i)
        for key in ('id', 'mac', 'ip'):
            if key not in amp:
                raise errors.BadRequest(f + key, 'required')
        spec = {'id': _str(f + 'id', amp['id']),
                'mac': _mac(f + 'mac', amp['mac']),
                'ip': _ip(f + 'ip', amp['ip'])}
        role = amp.get('role', wire.SLOT_ACTIVE)
        if not isinstance(role, str) or role.upper() not in state.ROLES:
            raise errors.BadRequest(f + 'role', 'one of active, standby')
        spec['role'] = role.upper()
        if amp.get('position') is not None:
            spec['position'] = _int(f + 'position', amp['position'], 0,
                                    max_positions - 1)
            if spec['position'] in positions:
                raise errors.BadRequest(f + 'position', 'used twice')
            positions.add(spec['position'])
        if spec['id'] in ids:
            raise errors.BadRequest(f + 'id', 'listed twice')
        ids.add(spec['id'])
        out.append(spec)
    return out, exclusive


def unregister(body):
    body = _obj(body)
    ids = body.get('amphora_ids')
    if not isinstance(ids, list):
        raise errors.BadRequest('amphora_ids', 'required list')
    return [_str('amphora_ids[%d]' % i, v) for i, v in enumerate(ids)]
