"""What an availability zone may say about the amphorae built in it, and
the zone a load balancer is made in.

availability_zone_data is a JSON string (as the CLI sends it).  It is
checked when the profile is written, the way upstream's amphora driver
checks it against its JSON schema (same keys, same messages), and then by
the compute driver, which refuses what it cannot honour.  A load balancer
made in a zone keeps the zone's name; the worker hands the zone's data to
the compute driver when it builds the amphorae.
"""
import json

from octavia_aa.common import drivers
from octavia_aa.common import exceptions
from octavia_aa.db.queries import availability_zone as az_q

COMPUTE_ZONE = 'compute_zone'
MANAGEMENT_NETWORK = 'management_network'
VALID_VIP_NETWORKS = 'valid_vip_networks'
VOLUME_ZONE = 'volume_zone'

# key -> (JSON type, description): upstream's amphora driver's keys and
# descriptions, minus what octavia-aa cannot honour (NOT_HONOURED).
KEYS = {
    COMPUTE_ZONE: ('string', 'The compute availability zone.'),
    MANAGEMENT_NETWORK: ('string',
                         'The management network ID for the amphora.'),
    VALID_VIP_NETWORKS: ('array', 'List of network IDs that are allowed '
                                  'for VIP use.'),
}
NOT_HONOURED = {
    VOLUME_ZONE: 'octavia-aa boots amphorae without volumes (it has no '
                 'volume driver), so there is no volume zone to choose.',
}
_PY_TYPES = {'string': str, 'array': list, 'object': dict}


class UnsupportedOption(exceptions.OctaviaAAError):
    """Upstream's ProviderUnsupportedOptionError text, as a 400: it is the
    request that is wrong, not the server (upstream answers 501)."""
    code = 400

    def __init__(self, provider, detail):
        super().__init__("Provider '%s' does not support a requested "
                         "option: %s" % (provider, detail))


class InvalidOption(exceptions.OctaviaAAError):
    """Upstream's InvalidOption: a value that is no option at all."""
    code = 400

    def __init__(self, value, option):
        super().__init__('%s is not a valid option for %s' % (value, option))


class DisabledOption(exceptions.OctaviaAAError):
    """Upstream's DisabledOption: a known choice, switched off."""
    code = 400

    def __init__(self, option, value):
        super().__init__('The selected %s is not allowed in this '
                         'deployment: %s' % (option, value))


def _not_of_type(value, kind, where=''):
    # jsonschema's wording, which upstream's messages carry.
    return '%s%r is not of type %r' % (where and where + ' ', value, kind)


def parse(raw, provider):
    """availability_zone_data (a JSON string) as a checked dict; 400 on
    anything upstream's schema refuses or the compute driver cannot do."""
    try:
        data = json.loads(raw)
    except (TypeError, ValueError):
        raise InvalidOption(raw, 'availability_zone_data')
    if not isinstance(data, dict):
        raise UnsupportedOption(provider, _not_of_type(data, 'object'))
    unknown = [k for k in data if k not in KEYS and k not in NOT_HONOURED]
    if unknown:
        raise UnsupportedOption(
            provider, 'Additional properties are not allowed (%s %s '
            'unexpected)' % (', '.join(repr(k) for k in unknown),
                             'was' if len(unknown) == 1 else 'were'))
    for key, value in data.items():
        if key in NOT_HONOURED:
            raise UnsupportedOption(provider, '%s: %s' % (
                key, NOT_HONOURED[key]))
        kind = KEYS[key][0]
        if not isinstance(value, _PY_TYPES[kind]):
            raise UnsupportedOption(provider, _not_of_type(value, kind, key))
        if kind == 'array':
            for item in value:
                if not isinstance(item, str):
                    raise UnsupportedOption(provider, _not_of_type(
                        item, 'string', key))
    drivers.get('compute').validate_availability_zone(data)
    drivers.get('network').validate_availability_zone(data)
    return data


def check_for_load_balancer(session, name, vip_network_ids):
    """A new load balancer asks for zone `name` (None: no zone): 400 when
    the zone is unknown or disabled, or the VIP network is not one of the
    zone's valid_vip_networks.  The zone row is share-locked so it cannot
    be deleted before the load balancer is stored (the delete checks for
    load balancers in it)."""
    if name is None:
        return {}
    enabled = az_q.enabled_for_share(session, name)
    if enabled is None:
        raise exceptions.ValidationError('Invalid availability zone.')
    if not enabled:
        raise DisabledOption('availability_zone', name)
    data = az_q.zone_data(session, name)
    valid = [n.lower() for n in data.get(VALID_VIP_NETWORKS) or ()]
    if valid and not {str(n).lower() for n in vip_network_ids
                      if n} & set(valid):
        raise exceptions.ValidationError(
            'Supplied VIP network_id is not allowed by the configuration '
            'of this deployment.')
    return data
