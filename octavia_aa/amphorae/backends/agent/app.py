"""WSGI application: the amphora agent's versioned REST API.

    GET    /                                      versions
    GET    /v1/info | /v1/details
    PUT    /v1/plug/vip                           VIP (arp on or off)
    PUT    /v1/plug/network                       member network
    GET    /v1/loadbalancers/{lb}/haproxy         current configuration
    PUT    /v1/loadbalancers/{lb}/haproxy         validate, install, reload
                                                  (?apply=false: store only)
    PUT    /v1/loadbalancers/{lb}/{action}        start|stop|reload|restart
    DELETE /v1/loadbalancers/{lb}                 stop and remove
    PUT|GET|DELETE /v1/loadbalancers/{lb}/certificates/{name}
    GET    /v1/listeners | /v1/stats
    PUT    /v1/config                             heartbeat settings
"""
import json
import logging
import re

import webob

from octavia_aa.amphorae.backends.agent import errors

LOG = logging.getLogger(__name__)
MAX_BODY = 8 << 20
_LB = r'(?P<lb>[A-Za-z0-9_.-]{1,200})'
_NAME = r'(?P<name>[A-Za-z0-9_.-]{1,200})'


class Application:

    def __init__(self, agent):
        self.agent = agent
        a = agent
        self.routes = [(m, re.compile(p + '$'), h) for m, p, h in [
            ('GET', r'/', lambda req: {'versions': ['v1'],
                                       'api_version': 'v1'}),
            ('GET', r'/v1/info', lambda req: a.info()),
            ('GET', r'/v1/details', lambda req: a.details()),
            ('PUT', r'/v1/plug/vip', lambda req: a.plug(
                dict(self._json(req), action='vip'))),
            ('PUT', r'/v1/plug/network', lambda req: a.plug(
                dict(self._json(req), action='network'))),
            ('GET', r'/v1/listeners', lambda req: a.listeners()),
            ('GET', r'/v1/stats', lambda req: a.stats()),
            ('PUT', r'/v1/config', lambda req: a.update_config(
                self._json(req))),
            ('GET', r'/v1/loadbalancers/%s/haproxy' % _LB,
             lambda req, lb: a.registry.get(lb).config_text()),
            ('PUT', r'/v1/loadbalancers/%s/haproxy' % _LB, self.upload),
            ('PUT', r'/v1/loadbalancers/%s/certificates/%s' % (_LB, _NAME),
             lambda req, lb, name: a.registry.get(lb).put_cert(
                 name, self._body(req))),
            ('GET', r'/v1/loadbalancers/%s/certificates/%s' % (_LB, _NAME),
             lambda req, lb, name: a.registry.get(lb).get_cert(name)),
            ('DELETE', r'/v1/loadbalancers/%s/certificates/%s' % (_LB, _NAME),
             lambda req, lb, name: a.registry.get(lb).delete_cert(name)),
            ('PUT', r'/v1/loadbalancers/%s/(?P<action>[a-z]+)' % _LB,
             lambda req, lb, action: a.action(lb, action)),
            ('DELETE', r'/v1/loadbalancers/%s' % _LB,
             lambda req, lb: a.delete(lb)),
        ]]

    @staticmethod
    def _body(req):
        if req.content_length and req.content_length > MAX_BODY:
            raise errors.BadRequest('body too large')
        return req.body

    def _json(self, req):
        try:
            body = json.loads(self._body(req) or b'null')
        except ValueError as exc:
            raise errors.BadRequest('body is not valid JSON: %s' % exc)
        if not isinstance(body, dict):
            raise errors.BadRequest('body must be a JSON object')
        return body

    def upload(self, req, lb):
        try:
            text = self._body(req).decode()
        except UnicodeDecodeError:
            raise errors.BadRequest('configuration is not UTF-8')
        apply = req.params.get('apply', 'true').lower() != 'false'
        return self.agent.upload(lb, text, apply)

    def __call__(self, environ, start_response):
        req = webob.Request(environ)
        content_type = 'application/json'
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
        except errors.ApiError as exc:
            body, status = exc.body(), exc.code
        except Exception as exc:     # never leak a traceback as HTML
            LOG.exception('request %s %s failed', req.method, req.path_info)
            body, status = {'message': 'internal error: %s' % exc,
                            'code': 500}, 500
        if isinstance(body, str):
            content_type, data = 'text/plain', body.encode()
        else:
            data = json.dumps(body).encode()
        resp = webob.Response(status=status, content_type=content_type,
                              charset='utf-8', body=data)
        return resp(environ, start_response)
