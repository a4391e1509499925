"""octavia-aa-api: the API alone, in [api_settings] api_workers processes."""
import sys

from oslo_log import log as logging

from octavia_aa.api import server
from octavia_aa.common import config
from octavia_aa.common import metrics_opts

LOG = logging.getLogger(__name__)


def main():
    config.init(sys.argv[1:])
    if config.CONF.transport_url.startswith('fake'):
        LOG.warning('transport_url is %s: casts stay in this process and '
                    'no worker will see them. Set [DEFAULT] transport_url '
                    'to a broker (rabbit://...), or run octavia-aa-all.',
                    config.CONF.transport_url)
    workers = config.CONF.api_settings.api_workers
    if workers > 1 and metrics_opts.register_opts().enabled:
        # Before any metric exists: the forked workers share their
        # values through files, so a scrape of any one adds them up.
        metrics_opts.prepare_multiprocess()
    server.ApiServer(workers).run()
