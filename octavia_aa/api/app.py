"""The WSGI application: Pecan plus the oslo/keystone middleware."""
from oslo_middleware import healthcheck
from oslo_middleware import request_id
from oslo_middleware import sizelimit
import pecan

from octavia_aa.api import hooks
from octavia_aa.api import metrics
from octavia_aa.api import middleware
from octavia_aa.api import pecan_speedups
from octavia_aa.common import config
from octavia_aa.common import constants as c

CONF = config.CONF


def setup_app():
    pecan_speedups.install()
    app = pecan.make_app(
        'octavia_aa.api.root.RootController',
        hooks=[hooks.InputHook(), hooks.ContextHook(),
               hooks.ErrorHook()],
        force_canonical=False, guess_content_type_from_ext=False)
    # /metrics behind the authentication below; every request timed.
    app = metrics.route(app)
    if CONF.api_settings.auth_strategy == c.KEYSTONE:
        from keystonemiddleware import auth_token
        app = auth_token.AuthProtocol(app, {'oslo_config_config': CONF})
        app = _skip_auth_for_discovery(app)
    if CONF.api_settings.healthcheck_enabled:
        app = _with_healthcheck(app)
    app = sizelimit.RequestBodySizeLimiter(app, CONF)
    return middleware.wrap(metrics.timed(
        request_id.RequestId(hooks.json_faults(app))))


def _with_healthcheck(main):
    # oslo's Healthcheck answers every path it sees, so only /healthcheck
    # is sent to it.
    check = healthcheck.Healthcheck(None, {})

    def app(environ, start_response):
        if environ.get('PATH_INFO') == '/healthcheck':
            return check(environ, start_response)
        return main(environ, start_response)
    return app


# Public, as upstream's version discovery: the CLI asks for it before it
# has a token; the OpenAPI document describes the API to anyone.
PUBLIC = ('', '/', '/v2/openapi.json', '/v2.0/openapi.json')


def _skip_auth_for_discovery(protected):
    """Version discovery and the OpenAPI document without a token."""
    unprotected = pecan.make_app(
        'octavia_aa.api.root.RootController',
        hooks=[hooks.InputHook(), hooks.ErrorHook()],
        force_canonical=False, guess_content_type_from_ext=False)

    def app(environ, start_response):
        if environ.get('PATH_INFO', '/') in PUBLIC:
            return unprotected(environ, start_response)
        return protected(environ, start_response)
    return app
