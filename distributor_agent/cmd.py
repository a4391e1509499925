"""``octavia-aa-distributor-agent --config-file F``."""
import sys

from oslo_config import cfg
from oslo_log import log as logging

from distributor_agent import config


def main(argv=None):
    conf = cfg.CONF
    logging.register_options(conf)
    config.register_opts(conf)
    conf(sys.argv[1:] if argv is None else argv,
         project='octavia-aa', prog='octavia-aa-distributor-agent')
    logging.setup(conf, 'octavia-aa-distributor-agent')
    from distributor_agent import server   # after logging is set up
    server.AgentServer(conf).run()
    return 0


if __name__ == '__main__':
    sys.exit(main())
