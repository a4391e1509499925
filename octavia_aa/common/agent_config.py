"""What the amphora agent and the distributor agent configure alike:
their mutual-TLS REST server, their heartbeats, and how an agent process
starts (``main`` of octavia-aa-amphora-agent and of
octavia-aa-distributor-agent).  Each agent's own config module adds its
options around these.

Kept free of the controller's dependencies: the agents' image ships it.
"""
import ctypes
import logging as std_logging
import sys

from oslo_config import cfg
from oslo_log import log as logging


def server_opts(id_option):
    """The REST server's options; id_option names the agent's identity
    option (its certificate is issued to that name)."""
    return [
        cfg.HostAddressOpt('bind_host', default='::',
                           help='Address the REST API listens on.'),
        cfg.PortOpt('bind_port', default=9443,
                    help='TCP port the REST API listens on.'),
        cfg.StrOpt('agent_server_cert',
                   default='/etc/octavia-aa/certs/server.pem',
                   help='PEM file with the agent certificate and its key '
                        '(issued by the server CA, named after %s).'
                        % id_option),
        cfg.StrOpt('agent_server_ca',
                   default='/etc/octavia-aa/certs/client_ca.pem',
                   help='CA certificate that signs controller client '
                        'certificates; clients without one are refused.'),
        cfg.StrOpt('agent_tls_minimum_version', default='TLSv1.2',
                   choices=['TLSv1.2', 'TLSv1.3'],
                   help='Lowest TLS version the REST API accepts.'),
    ]


def request_timeout_opt():
    return cfg.IntOpt('request_timeout', default=60, min=1,
                      help='Seconds a REST request may take (gunicorn '
                           'timeout).')


def heartbeat_opts(interval, interval_help, mutable=False):
    """Where heartbeats go, how often, and the key that signs them."""
    return [
        cfg.ListOpt('controller_ip_port_list', default=[], mutable=mutable,
                    help='Health manager addresses (ip:port) that receive '
                         'the UDP heartbeats.'),
        cfg.FloatOpt('heartbeat_interval', default=interval, min=0.05,
                     mutable=mutable, help=interval_help),
        cfg.StrOpt('heartbeat_key', secret=True, default=None,
                   mutable=mutable,
                   help='Key of the HMAC-SHA256 that signs heartbeats '
                        '(shared with the health manager). No heartbeats '
                        'without it.'),
    ]


def register_groups(groups, conf=cfg.CONF):
    for group, opts in groups:
        conf.register_opts(opts, group=group)


def list_groups(groups):
    return [(group, list(opts)) for group, opts in groups]


def _one_malloc_arena():
    # glibc gives each thread its own malloc arena; for a handful of
    # mostly idle threads that only fragments memory (several MB of RSS).
    try:
        ctypes.CDLL(None).mallopt(-8, 1)     # M_ARENA_MAX = 1
    except (OSError, AttributeError):
        pass


def run_agent(prog, register_opts, server_class, argv=None, quiet=()):
    """Parse the command line into cfg.CONF, set up logging, and run the
    agent's server until it stops.  server_class() is called after
    logging is set up (it imports the agent's modules); quiet names
    libraries logged at WARNING at most."""
    _one_malloc_arena()
    conf = cfg.CONF
    logging.register_options(conf)
    if quiet:
        logging.set_defaults(
            default_log_levels=logging.get_default_log_levels() +
            ['%s=WARN' % name for name in quiet])
    register_opts(conf)
    conf(sys.argv[1:] if argv is None else argv, project='octavia-aa',
         prog=prog)
    logging.setup(conf, prog)
    for name in quiet:
        std_logging.getLogger(name).setLevel(std_logging.WARNING)
    server_class()(conf).run()
    return 0
