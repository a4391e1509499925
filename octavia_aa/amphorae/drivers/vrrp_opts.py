"""Controller-side options of the keepalived VRRP that an ACTIVE_STANDBY
pair of amphorae runs (upstream's [keepalived_vrrp] group, with
sub-second advertisements: VRRPv3 counts them in centiseconds)."""
from oslo_config import cfg

GROUP = 'keepalived_vrrp'

vrrp_opts = [
    cfg.FloatOpt('vrrp_advert_int', default=0.1, min=0.01, max=40,
                 help='Seconds between VRRP advertisements of the MASTER '
                      'amphora. The BACKUP takes the VIP over after about '
                      '3.6 of them without one (0.1: ~0.36 s; upstream '
                      'Octavia\'s 1 s gives ~3.65 s). Too small on a loaded '
                      'host makes spurious takeovers.'),
    cfg.FloatOpt('vrrp_check_interval', default=1.0, min=0.1, max=60,
                 help='Seconds between two runs of the check that every '
                      'configured HAProxy of the amphora is running.'),
    cfg.IntOpt('vrrp_fail_count', default=2, min=1, max=100,
               help='Failed checks in a row before the amphora gives the '
                    'VIP up (VRRP FAULT).'),
    cfg.IntOpt('vrrp_success_count', default=2, min=1, max=100,
               help='Passed checks in a row before a faulty amphora may '
                    'hold the VIP again.'),
    cfg.IntOpt('vrrp_garp_refresh_interval', default=5, min=0, max=3600,
               help='Seconds between the gratuitous ARPs the MASTER keeps '
                    'sending after its takeover ones (0: only at takeover).'),
    cfg.IntOpt('vrrp_virtual_router_id', default=1, min=1, max=255,
               help='VRRP router id of the amphora pairs. Pairs send '
                    'unicast adverts to their peer only, so every pair may '
                    'share it; keep it different from the distributors\' '
                    'virtual_router_id on the same network.'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'vrrp_advert_int' not in conf[GROUP]:
        conf.register_opts(vrrp_opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(vrrp_opts))]
