"""What both agents' REST layers share: errors that become JSON bodies,
and a small WSGI application that dispatches on (method, path regex).

Kept free of heavy imports: agents must stay small."""
import json
import logging

import webob

LOG = logging.getLogger(__name__)


class ApiError(Exception):
    code = 500

    def __init__(self, message, **details):
        super().__init__(message)
        self.message = message
        self.details = details

    def body(self):
        return dict(self.details, message=self.message, code=self.code)


class NotFound(ApiError):
    code = 404


class RoutedApplication:
    """Subclasses set self.routes: [(method, compiled regex, handler)];
    a handler gets the request and the regex's named groups and returns
    the JSON-able answer."""

    routes = ()

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        try:
            allowed = []
            for method, pattern, handler in self.routes:
                m = pattern.match(req.path_info)
                if not m:
                    continue
                if method != req.method:
                    allowed.append(method)
                    continue
                body, status = handler(req, **m.groupdict()), 200
                break
            else:
                if allowed:
                    body, status = {'message': 'method not allowed',
                                    'allowed': allowed, 'code': 405}, 405
                else:
                    body, status = {'message': 'not found: %s'
                                    % req.path_info, 'code': 404}, 404
        except ApiError as exc:
            body, status = exc.body(), exc.code
        except Exception as exc:     # never leak a traceback as HTML
            LOG.exception('request %s %s failed', req.method, req.path_info)
            body, status = {'message': 'internal error: %s' % exc,
                            'code': 500}, 500
        resp = webob.Response(status=status, content_type='application/json',
                              charset='utf-8',
                              body=json.dumps(body).encode())
        return resp(environ, start_response)
