"""Options of the netns data plane shared by its compute and network
drivers ([netns] name_prefix: both name what they make on this host from
it) and the netns network driver's own ([netns] management_*)."""
from oslo_config import cfg

GROUP = 'netns'

naming_opts = [
    cfg.StrOpt('name_prefix', default='oaa', regex=r'^[a-z][a-z0-9]{0,3}$',
               help='Prefix of every namespace, bridge and veth the netns '
                    'drivers create (1-4 characters, so Linux interface '
                    'names stay within 15). Two deployments on one host '
                    'must use different prefixes.'),
]

network_opts = [
    cfg.StrOpt('management_subnet', default='lb-mgmt-subnet',
               help='Name of the declared subnet ([subnet:NAME]) of the '
                    'management network where agents and the health '
                    'manager talk.'),
    cfg.BoolOpt('management_host_address', default=True,
                help='Put the management subnet gateway address on the '
                     'management bridge, so the controller on this host '
                     'reaches the agents and receives their heartbeats. '
                     'Agents send heartbeats to [health_manager] '
                     'controller_ip_port_list as written there: in netns '
                     'mode it must name this gateway address (a loopback '
                     'address would be the namespace\'s own), and the '
                     'health manager must bind it.'),
]


def _register(conf, opts):
    if GROUP not in conf or opts[0].dest not in conf[GROUP]:
        conf.register_opts(opts, group=GROUP)
    return conf[GROUP]


def register_naming_opts(conf=cfg.CONF):
    """[netns] name_prefix (the compute driver needs no more of these)."""
    return _register(conf, naming_opts)


def register_opts(conf=cfg.CONF):
    register_naming_opts(conf)
    return _register(conf, network_opts)


def list_opts():
    return [(GROUP, naming_opts + network_opts)]
