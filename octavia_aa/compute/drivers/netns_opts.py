"""Options of the netns compute driver ([netns]; name_prefix, which the
netns network driver shares, is in octavia_aa.network.drivers.netns_opts,
the certificate authority and VRRP timing every compute driver's machines
get are octavia_aa.compute.boot_opts)."""
from oslo_config import cfg

from octavia_aa.network.drivers import netns_opts as plane_opts

GROUP = 'netns'

netns_opts = [
    cfg.PortOpt('agent_port', default=9443,
                deprecated_for_removal=True,
                deprecated_reason='The agents listen on the port the '
                                  'controller talks to: [amphora_agent_'
                                  'client] and [distributor_agent_client] '
                                  'agent_port.',
                help='Unused: the port the agents listen on is [amphora_'
                     'agent_client] agent_port (amphorae) and '
                     '[distributor_agent_client] agent_port '
                     '(distributors).'),
    cfg.StrOpt('amphora_agent', default='octavia-aa-amphora-agent',
               help='Amphora agent executable.'),
    cfg.StrOpt('distributor_agent', default='octavia-aa-distributor-agent',
               help='Distributor agent executable.'),
    cfg.FloatOpt('supervise_interval', default=0.5, min=0.05,
                 help='Seconds between checks that each agent runs; a dead '
                      'one is restarted unless its machine is being '
                      'deleted.'),
    cfg.FloatOpt('boot_timeout', default=60.0, min=1,
                 help='Seconds wait_active waits for the agent port.'),
]


def register_opts(conf=cfg.CONF):
    plane_opts.register_naming_opts(conf)
    if GROUP not in conf or 'amphora_agent' not in conf[GROUP]:
        conf.register_opts(netns_opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(netns_opts))]
