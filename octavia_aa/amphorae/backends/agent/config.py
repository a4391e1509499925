"""Configuration options of the amphora agent (oslo.config)."""
from oslo_config import cfg

agent_opts = [
    cfg.StrOpt('amphora_id', required=True,
               help='UUID of this amphora; its server certificate must be '
                    'issued to this name and heartbeats carry it.'),
    cfg.HostAddressOpt('bind_host', default='::',
                       help='Address the REST API listens on.'),
    cfg.PortOpt('bind_port', default=9443,
                help='TCP port the REST API listens on.'),
    cfg.StrOpt('agent_server_cert', default='/etc/octavia-aa/certs/server.pem',
               help='PEM file with the agent certificate and its key '
                    '(issued by the server CA, named after amphora_id).'),
    cfg.StrOpt('agent_server_ca',
               default='/etc/octavia-aa/certs/client_ca.pem',
               help='CA certificate that signs controller client '
                    'certificates; clients without one are refused.'),
    cfg.StrOpt('agent_tls_minimum_version', default='TLSv1.2',
               choices=['TLSv1.2', 'TLSv1.3'],
               help='Lowest TLS version the REST API accepts.'),
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
    cfg.IntOpt('request_timeout', default=60, min=1,
               help='Seconds a REST request may take (gunicorn timeout).'),
]

health_opts = [
    cfg.ListOpt('controller_ip_port_list', default=[], mutable=True,
                help='Health manager addresses (ip:port) that receive the '
                     'UDP heartbeats.'),
    cfg.FloatOpt('heartbeat_interval', default=10.0, min=0.05, mutable=True,
                 help='Seconds between two heartbeats.'),
    cfg.StrOpt('heartbeat_key', secret=True, default=None, mutable=True,
               help='Key of the HMAC-SHA256 that signs heartbeats (shared '
                    'with the health manager). No heartbeats without it.'),
]

GROUPS = (('amphora_agent', agent_opts), ('amphora_health', health_opts))


def register_opts(conf=cfg.CONF):
    for group, opts in GROUPS:
        conf.register_opts(opts, group=group)


def list_opts():
    return [(group, list(opts)) for group, opts in GROUPS]
