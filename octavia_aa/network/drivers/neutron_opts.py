"""Options of the Neutron network driver ([neutron]).  It acts as the
[service_auth] user (octavia_aa.common.service_auth), like the Nova
compute driver."""
from oslo_config import cfg

GROUP = 'neutron'

PORT_SECURITY_AAP = 'allowed_address_pairs'
PORT_SECURITY_OFF = 'disabled'

opts = [
    cfg.StrOpt('region_name',
               help='Region of the network and compute endpoints (None: '
                    'the only one).'),
    cfg.StrOpt('endpoint_type', default='public',
               choices=['public', 'internal', 'admin'],
               help='Which endpoint of the catalog to use.'),
    cfg.StrOpt('management_network',
               help='Id or name of the network every amphora and '
                    'distributor gets its first port on (lb-mgmt-net); an '
                    'availability zone profile\'s management_network '
                    'overrides it.  Required to build machines.'),
    cfg.StrOpt('management_subnet',
               help='Id or name of the subnet of management_network the '
                    'ports take their address on (None: the network\'s '
                    'first IPv4 subnet).'),
    cfg.ListOpt('controller_cidrs', default=[],
                help='Where the controllers (worker, health manager) '
                     'talk to the agents from: the management security '
                     'group opens the agents\' ports to these CIDRs only '
                     '(empty: the management subnet\'s CIDR).'),
    cfg.StrOpt('distributor_port_security', default=PORT_SECURITY_OFF,
               choices=[(PORT_SECURITY_OFF,
                         'port security off on the distributors\' VIP-side '
                         'ports only (no security group, no anti-spoofing '
                         'on that port)'),
                        (PORT_SECURITY_AAP,
                         'port security on, allowed address pairs '
                         '0.0.0.0/0 and ::/0 with the port\'s own MAC, and '
                         'the load balancers\' security groups')],
               help='How a distributor\'s port on a VIP network is allowed '
                    'to send frames whose source address is a client\'s '
                    '(see octavia_aa/network/drivers/neutron.py for what '
                    'each needs from the cloud).'),
    cfg.IntOpt('attach_timeout', default=300, min=1,
               help='Seconds a port hot-plugged into a server (Nova '
                    'interface attach) may take to become ACTIVE.'),
    cfg.PortOpt('pin_sync_port', default=5557,
                help='UDP port of the distributors\' pin sync datagrams '
                     '(distributor_agent pin_sync_port), opened between '
                     'distributors on the management network.'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'attach_timeout' not in conf[GROUP]:
        conf.register_opts(opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(opts))]
