"""Configuration options of the amphora agent (oslo.config)."""
from oslo_config import cfg

from octavia_aa.common import agent_config

agent_opts = [
    cfg.StrOpt('amphora_id', required=True,
               help='UUID of this amphora; its server certificate must be '
                    'issued to this name and heartbeats carry it.'),
    *agent_config.server_opts('amphora_id'),
    cfg.StrOpt('state_dir', default='/var/lib/octavia-aa/amphora',
               help='Directory for HAProxy configurations, certificates, '
                    'sockets and the agent\'s own overrides.'),
    cfg.StrOpt('run_dir', default='/run/octavia-aa-amphora',
               help='Directory of short links to the load-balancer '
                    'directories (UNIX socket paths must be short).'),
    cfg.StrOpt('haproxy', default='haproxy', help='HAProxy executable.'),
    cfg.IntOpt('reload_timeout', default=30, min=1,
               help='Seconds to wait for a started or reloaded HAProxy to '
                    'run its new worker.'),
    cfg.IntOpt('hard_stop_after', default=300, min=1,
               help='Seconds an old HAProxy worker may keep serving its '
                    'established connections after a reload.'),
    agent_config.request_timeout_opt(),
    # ACTIVE_STANDBY (octavia_aa/amphorae/backends/agent/vrrp.py).
    cfg.StrOpt('keepalived', default='keepalived',
               help='keepalived executable (VRRP of an ACTIVE_STANDBY '
                    'pair).'),
    cfg.FloatOpt('vrrp_supervise_interval', default=0.1, min=0.01,
                 help='Seconds between checks that keepalived is alive; a '
                      'dead one has its VIP address removed at once (so it '
                      'is never answered on two amphorae) and is '
                      'restarted as BACKUP.'),
]

# Mutable: the controller changes them through the agent's API.
health_opts = agent_config.heartbeat_opts(
    10.0, 'Seconds between two heartbeats.', mutable=True)

GROUPS = (('amphora_agent', agent_opts), ('amphora_health', health_opts))


def register_opts(conf=cfg.CONF):
    agent_config.register_groups(GROUPS, conf)


def list_opts():
    return agent_config.list_groups(GROUPS)
