"""``octavia-aa-distributor-agent --config-file F``."""
import ctypes
import logging as std_logging
import sys

from oslo_config import cfg
from oslo_log import log as logging

from distributor_agent import config


def _one_malloc_arena():
    # glibc gives each thread its own malloc arena; for a handful of
    # mostly idle threads that only fragments memory (several MB of RSS).
    try:
        ctypes.CDLL(None).mallopt(-8, 1)     # M_ARENA_MAX = 1
    except (OSError, AttributeError):
        pass


def main(argv=None):
    _one_malloc_arena()
    conf = cfg.CONF
    logging.register_options(conf)
    # pyroute2 logs every netlink message at DEBUG.
    logging.set_defaults(default_log_levels=logging.get_default_log_levels()
                         + ['pyroute2=WARN'])
    config.register_opts(conf)
    conf(sys.argv[1:] if argv is None else argv,
         project='octavia-aa', prog='octavia-aa-distributor-agent')
    logging.setup(conf, 'octavia-aa-distributor-agent')
    std_logging.getLogger('pyroute2').setLevel(std_logging.WARNING)
    from distributor_agent import server   # after logging is set up
    server.AgentServer(conf).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
