"""Controller options for seeing a death fast: how each distributor
probes its amphorae (sent to the agents with every VIP plug) and how
long the controller waits for a distributor whose VRRP peer reported
taking over from it."""
from oslo_config import cfg

GROUP = 'distributor_probes'

# Defaults chosen by measurement on the shared 2-vCPU dev box
# (tests/bench/distributor.py --only detect, 9 kills each, wrk through
# the VIP saturating both cores meanwhile):
#   interval,timeout,fall  silent median/max  RST median/max  false
#   0.1, 0.1, 3 (before)        430 / 971 ms    144 / 232 ms      0
#   0.04, 0.04, 2               124 / 250 ms     41 /  57 ms      0
#   0.03, 0.03, 2                92 / 155 ms     36 /  96 ms      0
#   (again, 60 s of load)       107 / 142 ms     40 / 134 ms      0
# fall 1 would turn one lost SYN into a failover.
opts = [
    cfg.FloatOpt('interval', default=0.03, min=0.01, max=60,
                 help='Seconds between two probes (TCP connects to the '
                      'amphora front-end address) by a distributor of each '
                      'of its amphorae; after a miss the next probe comes 4 '
                      'times sooner. Sent to the distributor agents with '
                      'every VIP plug.'),
    cfg.FloatOpt('timeout', default=0.03, min=0.01, max=60,
                 help='Seconds a probe may wait for the SYN-ACK before it '
                      'counts as a miss (at most interval). A connect that '
                      'is refused (RST) is a miss at once.'),
    cfg.IntOpt('fall', default=2, min=1, max=100,
               help='Consecutive misses after which the distributor fails '
                    'the amphora and moves its slots to the others. An '
                    'amphora that went silent is seen after about half an '
                    'interval plus fall * timeout.'),
    # A TCP connect on the management network is answered by the
    # kernel (no scheduling of the agent needed): ms even on a loaded
    # box, so a short timeout only ever fails a machine that is gone.
    cfg.FloatOpt('peer_check_timeout', default=0.25, min=0.05, max=10,
                 help='Seconds the controller waits for the TCP connection '
                      'to a distributor agent whose VRRP peer reported '
                      'taking over the VIPs from it (then 2 s for its '
                      'answer); one that does not answer is marked ERROR '
                      'and rebuilt at once (no retry: the takeover already '
                      'says it is gone).'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'fall' not in conf[GROUP]:
        conf.register_opts(opts, group=GROUP)
    return conf[GROUP]


def probe_settings(conf=cfg.CONF):
    """The body the agents take as their prober settings."""
    p = register_opts(conf)
    return {'interval': p.interval, 'timeout': p.timeout, 'fall': p.fall}


def list_opts():
    return [(GROUP, list(opts))]
