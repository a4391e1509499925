"""Controller-side options for talking to amphora agents."""
from oslo_config import cfg

from octavia_aa.common import agent_client

GROUP = 'amphora_agent_client'

client_opts = agent_client.client_opts(
    'amphora', 120.0,
    'Seconds to wait for an agent answer (a reload waits for HAProxy\'s '
    'new worker).',
    60, 'Retries of a call whose connection failed (every call sets '
    'state, so retrying is safe).')


def register_opts(conf=cfg.CONF):
    return agent_client.register_client_opts(conf, GROUP, client_opts)


def list_opts():
    return [(GROUP, list(client_opts))]
