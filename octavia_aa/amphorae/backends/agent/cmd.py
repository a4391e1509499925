"""``octavia-aa-amphora-agent --config-file F``."""
import ctypes
import sys

from oslo_config import cfg
from oslo_log import log as logging

from octavia_aa.amphorae.backends.agent import config


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
    config.register_opts(conf)
    conf(sys.argv[1:] if argv is None else argv,
         project='octavia-aa', prog='octavia-aa-amphora-agent')
    logging.setup(conf, 'octavia-aa-amphora-agent')
    from octavia_aa.amphorae.backends.agent import server   # after logging
    server.AgentServer(conf).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
