"""What a flavor may say about the load balancers made from it.

flavor_data is a JSON string (as the CLI sends it).  Every key is checked
when the flavor profile is written, and a load balancer's settings are the
profile's values over the [controller_worker] defaults, checked again
together (min_size above desired_size is refused).
"""
import dataclasses

from octavia_aa.common import client_input
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions

CONF = config.CONF

# key -> (kind, choices or (min, max), description)
KEYS = {
    c.FLAVOR_TOPOLOGY: ('enum', c.SUPPORTED_TOPOLOGIES,
                        'The load balancer topology.'),
    c.FLAVOR_DESIRED_SIZE: ('int', (1, c.MAX_CLUSTER),
                            'Active amphorae of an ACTIVE_ACTIVE cluster.'),
    c.FLAVOR_MIN_SIZE: ('int', (1, c.MAX_CLUSTER),
                        'Fewest ONLINE amphorae before the cluster is DOWN.'),
    c.FLAVOR_STANDBY_COUNT: ('int', (0, c.MAX_CLUSTER),
                             'Standby amphorae (the "+1").'),
    c.FLAVOR_COOLDOWN: ('int', (0, 86400),
                        'Seconds between two resizes of a cluster.'),
    c.FLAVOR_AFFINITY: ('enum', (c.AFFINITY_SOURCE_IP,
                                 c.AFFINITY_SOURCE_IP_PORT),
                        'How the distributor keeps flows together.'),
    'compute_flavor': ('str', None, 'Compute flavor of the amphorae.'),
    'amp_image_tag': ('str', None, 'Image tag of the amphorae.'),
}


# What may change in a flavor profile that load balancers use: the sizes
# of their clusters (applied to them); anything else would leave existing
# load balancers unlike the flavor they were made from.
SIZE_KEYS = (c.FLAVOR_DESIRED_SIZE, c.FLAVOR_MIN_SIZE, c.FLAVOR_STANDBY_COUNT,
             c.FLAVOR_COOLDOWN)


def only_sizes_differ(old, new):
    """True when two flavor_data dicts differ in SIZE_KEYS at most."""
    def rest(data):
        return {k: v for k, v in data.items() if k not in SIZE_KEYS}
    return rest(old) == rest(new)


@dataclasses.dataclass(frozen=True)
class Settings:
    topology: str
    desired_size: int
    min_size: int
    standby_count: int
    cooldown: int
    affinity: str


def parse_flavor_data(raw, field='flavor_data'):
    """The flavor_data string as a checked dict, or InvalidInput."""
    if isinstance(raw, dict):
        data = raw
    else:
        try:
            data = client_input.loads(raw, field)
        except (TypeError, exceptions.OctaviaAAError):
            raise exceptions.InvalidInput(field, raw,
                                          'Value should be a JSON object.')
    if not isinstance(data, dict):
        raise exceptions.InvalidInput(field, raw,
                                      'Value should be a JSON object.')
    for key, value in data.items():
        if key not in KEYS:
            raise exceptions.InvalidInput(
                '%s.%s' % (field, key), value,
                'Unknown flavor key; supported keys are: %s'
                % ', '.join(sorted(KEYS)))
        kind, limits, _ = KEYS[key]
        name = '%s.%s' % (field, key)
        if kind == 'enum' and value not in limits:
            raise exceptions.InvalidInput(
                name, value, 'Value should be one of: %s' % ', '.join(limits))
        if kind == 'int':
            if isinstance(value, bool) or not isinstance(value, int):
                raise exceptions.InvalidInput(name, value,
                                              'Value should be an integer.')
            if not limits[0] <= value <= limits[1]:
                raise exceptions.InvalidInput(
                    name, value, 'Value should be between %d and %d.'
                    % limits)
        if kind == 'str' and not isinstance(value, str):
            raise exceptions.InvalidInput(name, value,
                                          'Value should be a string.')
    _check_sizes(data.get(c.FLAVOR_DESIRED_SIZE),
                 data.get(c.FLAVOR_MIN_SIZE), field)
    return data


def _check_sizes(desired, minimum, field):
    if desired is not None and minimum is not None and minimum > desired:
        raise exceptions.InvalidInput(
            '%s.%s' % (field, c.FLAVOR_MIN_SIZE), minimum,
            'cluster_min_size (%d) must not be above cluster_desired_size '
            '(%d).' % (minimum, desired))


def settings(flavor_data=None):
    """Settings of a new load balancer from its flavor data (a dict)."""
    data = flavor_data or {}
    cw = CONF.controller_worker
    result = Settings(
        topology=data.get(c.FLAVOR_TOPOLOGY, cw.loadbalancer_topology),
        desired_size=data.get(c.FLAVOR_DESIRED_SIZE,
                              cw.cluster_desired_size),
        min_size=data.get(c.FLAVOR_MIN_SIZE, cw.cluster_min_size),
        standby_count=data.get(c.FLAVOR_STANDBY_COUNT,
                               cw.cluster_standby_count),
        cooldown=data.get(c.FLAVOR_COOLDOWN, cw.cluster_cooldown),
        affinity=data.get(c.FLAVOR_AFFINITY, cw.distributor_affinity))
    _check_sizes(result.desired_size, result.min_size, 'flavor_data')
    return result


@dataclasses.dataclass(frozen=True)
class Machine:
    """What the compute driver boots for an amphora (None: the driver's
    default)."""
    compute_flavor: str | None
    image_tag: str | None


def machine(flavor_data=None):
    """The amphorae's compute flavor and image tag: the flavor profile's
    compute_flavor and amp_image_tag over [controller_worker]
    amp_flavor_id and amp_image_tag."""
    data = flavor_data or {}
    cw = CONF.controller_worker
    return Machine(compute_flavor=data.get('compute_flavor',
                                           cw.amp_flavor_id),
                   image_tag=data.get('amp_image_tag', cw.amp_image_tag))


def of_flavor(flavor):
    """The checked flavor_data of a Flavor row (None: {})."""
    if flavor is None:
        return {}
    return parse_flavor_data(flavor.flavor_profile.flavor_data)
