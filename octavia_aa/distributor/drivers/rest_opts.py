"""Controller-side options for talking to distributor agents."""
from oslo_config import cfg

from octavia_aa.common import agent_client

GROUP = 'distributor_agent_client'

client_opts = agent_client.client_opts(
    'distributor', 60.0, 'Seconds to wait for an agent answer.',
    3, 'Retries of a call whose connection failed (every call is '
    'idempotent, so retrying is safe).')


def register_opts(conf=cfg.CONF):
    return agent_client.register_client_opts(conf, GROUP, client_opts)


def list_opts():
    return [(GROUP, list(client_opts))]
