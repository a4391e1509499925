"""Options of what the controller puts on every machine it builds, for
any compute driver ([agent_boot]): the CA the agents' certificates come
from and the VRRP timing of distributor pairs."""
from oslo_config import cfg

GROUP = 'agent_boot'

boot_opts = [
    cfg.StrOpt('ca_dir', default='$state_path/ca', deprecated_group='netns',
               help='Directory of the local CAs (octavia-aa-certs init); '
                    'the controller issues each agent its certificate from '
                    'it, before the compute driver builds the machine.'),
    cfg.FloatOpt('vrrp_advert_int', default=0.1, min=0.01, max=40,
                 deprecated_group='netns',
                 help='VRRP advertisement interval (seconds) of a '
                      'distributor pair; the backup takes over after about '
                      '3.6 intervals without adverts. Below 0.1 a loaded '
                      'host risks false takeovers.'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'ca_dir' not in conf[GROUP]:
        conf.register_opts(boot_opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(boot_opts))]
