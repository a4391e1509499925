"""octavia-aa-api: the API alone, in [api_settings] api_workers processes."""
import sys

from oslo_log import log as logging

from octavia_aa.api import server
from octavia_aa.common import config

LOG = logging.getLogger(__name__)


def main():
    config.init(sys.argv[1:])
    if config.CONF.transport_url.startswith('fake'):
        LOG.warning('transport_url is %s: casts stay in this process and '
                    'no worker will see them. Set [DEFAULT] transport_url '
                    'to a broker (rabbit://...), or run octavia-aa-all.',
                    config.CONF.transport_url)
    server.ApiServer(config.CONF.api_settings.api_workers).run()
