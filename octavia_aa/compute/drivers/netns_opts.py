"""Options of the netns compute and network drivers ([netns])."""
from oslo_config import cfg

GROUP = 'netns'

netns_opts = [
    cfg.StrOpt('name_prefix', default='oaa', regex=r'^[a-z][a-z0-9]{0,3}$',
               help='Prefix of every namespace, bridge and veth the netns '
                    'drivers create (1-4 characters, so Linux interface '
                    'names stay within 15). Two deployments on one host '
                    'must use different prefixes.'),
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
    cfg.StrOpt('ca_dir', default='$state_path/ca',
               help='Directory of the local CAs (octavia-aa-certs init); '
                    'the compute driver issues each agent its '
                    'certificate from it.'),
    cfg.PortOpt('agent_port', default=9443,
                help='Port the agents listen on in their namespace.'),
    cfg.StrOpt('amphora_agent', default='octavia-aa-amphora-agent',
               help='Amphora agent executable.'),
    cfg.StrOpt('distributor_agent', default='octavia-aa-distributor-agent',
               help='Distributor agent executable.'),
    cfg.FloatOpt('supervise_interval', default=0.5, min=0.05,
                 help='Seconds between checks that each agent runs; a dead '
                      'one is restarted unless its machine is being '
                      'deleted.'),
    cfg.FloatOpt('vrrp_advert_int', default=0.1, min=0.01, max=40,
                 help='VRRP advertisement interval (seconds) of a '
                      'distributor pair; the backup takes over after about '
                      '3.6 intervals without adverts. Below 0.1 a loaded '
                      'host risks false takeovers.'),
    cfg.FloatOpt('boot_timeout', default=60.0, min=1,
                 help='Seconds wait_active waits for the agent port.'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'name_prefix' not in conf[GROUP]:
        conf.register_opts(netns_opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(netns_opts))]
