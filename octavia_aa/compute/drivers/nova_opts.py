"""Options of the Nova compute driver ([nova]).  It acts as the
[service_auth] user (octavia_aa.common.service_auth)."""
from oslo_config import cfg

GROUP = 'nova'

opts = [
    cfg.StrOpt('region_name',
               help='Region of the compute, image and network endpoints '
                    '(None: the only one).'),
    cfg.StrOpt('endpoint_type', default='public',
               choices=['public', 'internal', 'admin'],
               help='Which endpoint of the catalog to use.'),
    cfg.StrOpt('image_owner_id',
               help='Only images owned by this project are booted (the '
                    'images are found by tag: a tag alone could be set by '
                    'any project that shares an image).'),
    cfg.StrOpt('availability_zone',
               help='Nova availability zone of machines whose load '
                    'balancer names no availability zone (None: Nova\'s '
                    'default).'),
    cfg.StrOpt('anti_affinity_policy', default='anti-affinity',
               choices=['anti-affinity', 'soft-anti-affinity'],
               help='Policy of the server group of one load balancer\'s '
                    'amphorae: anti-affinity refuses to place two on one '
                    'host, soft-anti-affinity only prefers not to.'),
    cfg.IntOpt('build_timeout', default=900, min=1,
               help='Seconds a server may take to become ACTIVE.'),
    cfg.FloatOpt('build_max_interval', default=10.0, min=0.1,
                 help='Longest pause between two looks at a building '
                      'server (the pause doubles from 1 s up to this).'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'build_timeout' not in conf[GROUP]:
        conf.register_opts(opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(opts))]
