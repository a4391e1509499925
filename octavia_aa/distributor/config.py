"""Controller-side options for talking to distributor agents."""
from oslo_config import cfg

GROUP = 'distributor_agent_client'

client_opts = [
    cfg.StrOpt('client_cert', default='$state_path/ca/controller.pem',
               help='PEM with the controller client certificate and key, '
                    'signed by the client CA the agents trust.'),
    cfg.StrOpt('server_ca', default='$state_path/ca/server_ca.pem',
               help='CA that signs distributor agent certificates. An agent '
                    'is also refused unless its certificate is issued to '
                    'the distributor id the controller expects.'),
    cfg.PortOpt('agent_port', default=9443,
                help='TCP port of the distributor agent REST API.'),
    cfg.StrOpt('api_version', default='v1',
               help='Agent API version prefix.'),
    cfg.FloatOpt('connect_timeout', default=5.0, min=0.1,
                 help='Seconds to establish a connection to an agent.'),
    cfg.FloatOpt('read_timeout', default=60.0, min=0.1,
                 help='Seconds to wait for an agent answer.'),
    cfg.IntOpt('connection_max_retries', default=3, min=0,
               help='Retries of a call whose connection failed (every call '
                    'is idempotent, so retrying is safe).'),
    cfg.FloatOpt('connection_retry_interval', default=1.0, min=0,
                 help='Seconds between two such retries.'),
    cfg.FloatOpt('liveness_timeout', default=0.5, min=0.05, max=10,
                 help='Seconds a distributor agent has to answer when its '
                      'VRRP peer reported taking over the VIPs from it; '
                      'one that does not is failed and rebuilt at once '
                      '(no retry: the takeover already says it is gone).'),
]

PROBE_GROUP = 'distributor_probes'

# Defaults chosen by measurement on the shared 2-vCPU dev box
# (tests/bench/distributor.py --only detect, 9 kills each, wrk through
# the VIP saturating both cores meanwhile):
#   interval,timeout,fall  silent median/max  RST median/max  false
#   0.1, 0.1, 3 (before)        430 / 971 ms    144 / 232 ms      0
#   0.04, 0.04, 2               124 / 250 ms     41 /  57 ms      0
#   0.03, 0.03, 2                92 / 155 ms     36 /  96 ms      0
# fall 1 would turn one lost SYN into a failover.
probe_opts = [
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
                    'the amphora and moves its slots to the others. The '
                    'time to see a silent death is about timeout * fall '
                    'plus half an interval; a refused one about interval '
                    '* (1 + (fall - 1) / 4) at most.'),
]


def probe_settings(conf=cfg.CONF):
    """The body the agents take as their prober settings."""
    p = conf[PROBE_GROUP]
    return {'interval': p.interval, 'timeout': p.timeout, 'fall': p.fall}


def register_opts(conf=cfg.CONF):
    conf.register_opts(client_opts, group=GROUP)
    conf.register_opts(probe_opts, group=PROBE_GROUP)


def list_opts():
    return [(GROUP, list(client_opts)), (PROBE_GROUP, list(probe_opts))]
