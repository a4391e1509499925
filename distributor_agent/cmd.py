"""``octavia-aa-distributor-agent --config-file F``."""
import sys

from distributor_agent import config
from octavia_aa.common import agent_config


def _server():
    from distributor_agent import server  # after logging is set up
    return server.AgentServer


def main(argv=None):
    # pyroute2 logs every netlink message at DEBUG.
    return agent_config.run_agent('octavia-aa-distributor-agent',
                                  config.register_opts, _server, argv,
                                  quiet=('pyroute2',))


if __name__ == '__main__':
    sys.exit(main())
