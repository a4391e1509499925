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
]


def register_opts(conf=cfg.CONF):
    conf.register_opts(client_opts, group=GROUP)


def list_opts():
    return [(GROUP, list(client_opts))]
