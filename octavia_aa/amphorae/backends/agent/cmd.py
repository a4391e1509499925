"""``octavia-aa-amphora-agent --config-file F``."""
import sys

from octavia_aa.amphorae.backends.agent import config
from octavia_aa.common import agent_config


def _server():
    from octavia_aa.amphorae.backends.agent import server  # after logging
    return server.AgentServer


def main(argv=None):
    return agent_config.run_agent('octavia-aa-amphora-agent',
                                  config.register_opts, _server, argv)


if __name__ == '__main__':
    sys.exit(main())
