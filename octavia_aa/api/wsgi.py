"""The API as a WSGI application for uwsgi, Apache mod_wsgi or any other
WSGI server (octavia-aa-api serves it with gunicorn itself):

    uwsgi --http-socket 127.0.0.1:9876 --module octavia_aa.api.wsgi:application
    WSGIScriptAlias / /path/to/site-packages/octavia_aa/api/wsgi.py

Configuration files: OCTAVIA_AA_CONFIG_FILES (comma-separated paths) if
set, else oslo.config's usual search for octavia-aa.conf
(/etc/octavia-aa/octavia-aa.conf, ~/.octavia-aa/...).  As octavia-aa-api,
it serves the API only: the worker and the health manager run on their
own (octavia-aa-worker, octavia-aa-health-manager) and are reached over
[DEFAULT] transport_url.
"""
import os

from oslo_log import log as logging

from octavia_aa.common import config

LOG = logging.getLogger(__name__)
CONFIG_FILES_ENV = 'OCTAVIA_AA_CONFIG_FILES'


def init_application():
    files = os.environ.get(CONFIG_FILES_ENV)
    # None: oslo.config looks for octavia-aa.conf in its usual places.
    default_files = ([f for f in files.split(',') if f]
                     if files is not None else None)
    # The WSGI server's own command line is not ours to parse.
    config.init([], default_config_files=default_files)
    if config.CONF.transport_url.startswith('fake'):
        LOG.warning('transport_url is %s: no worker will see the casts '
                    'of this API. Set [DEFAULT] transport_url to a broker.',
                    config.CONF.transport_url)
    from octavia_aa.api import app
    return app.setup_app()


application = init_application()
