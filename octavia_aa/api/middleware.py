"""The outermost middleware of the API, configurable by the operator:

- [oslo_middleware] enable_proxy_headers_parsing: behind a TLS-terminating
  proxy (HAProxy, Apache), take the scheme and host of the links in
  responses from the proxy's X-Forwarded-Proto / Forwarded headers, so
  they say https:// and the public name;
- [cors] allowed_origin: browsers on those origins (a dashboard served
  elsewhere) may call the API; without it no CORS header is sent.
"""
from oslo_middleware import cors
from oslo_middleware import http_proxy_to_wsgi

from octavia_aa.common import config

CONF = config.CONF

# Headers a browser client sends and reads (Keystone's and ours).
ALLOW_HEADERS = ['X-Auth-Token', 'X-Openstack-Request-Id', 'X-Project-Id',
                 'X-Identity-Status', 'X-User-Id', 'X-Storage-Token',
                 'X-Domain-Id', 'X-User-Domain-Id', 'X-Project-Domain-Id',
                 'X-Roles', 'Content-Type']
EXPOSE_HEADERS = ['X-Auth-Token', 'X-Openstack-Request-Id', 'X-Project-Id',
                  'X-Identity-Status', 'X-User-Id', 'X-Storage-Token',
                  'X-Domain-Id', 'X-User-Domain-Id', 'X-Project-Domain-Id',
                  'X-Roles']
ALLOW_METHODS = ['GET', 'PUT', 'POST', 'DELETE', 'PATCH']


def set_cors_defaults():
    """Our defaults of [cors] (also shown in the sample config)."""
    cors.set_defaults(allow_headers=ALLOW_HEADERS,
                      expose_headers=EXPOSE_HEADERS,
                      allow_methods=ALLOW_METHODS)


def wrap(app):
    # The proxy headers are applied first so that CORS and every link
    # see the client's scheme and host; CORS answers preflight requests
    # (OPTIONS) before authentication, as browsers send them without a
    # token.
    app = http_proxy_to_wsgi.HTTPProxyToWSGI(app, CONF)
    return cors.CORS(app, CONF)
