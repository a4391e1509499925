"""WSGI application: the amphora agent's versioned REST API.

    GET    /                                      versions
    GET    /v1/info | /v1/details
    PUT    /v1/plug/vip                           VIP (arp on or off)
    PUT    /v1/plug/network                       member network
    GET    /v1/loadbalancers/{lb}/haproxy         current configuration
    PUT    /v1/loadbalancers/{lb}/haproxy         validate, install, reload
                                                  (?apply=false: store only)
    PUT    /v1/loadbalancers/{lb}/{action}        start|stop|reload|restart
                                                  |drain (keep-alive closes)
    DELETE /v1/loadbalancers/{lb}                 stop and remove
    PUT|GET /v1/loadbalancers/{lb}/udp             UDP listeners (JSON,
                                                  udp_service.py)
    PUT|GET|DELETE /v1/loadbalancers/{lb}/certificates/{name}
    GET    /v1/listeners | /v1/stats
    PUT    /v1/config                             heartbeat settings
    PUT|GET|DELETE /v1/vrrp                       keepalived (ACTIVE_STANDBY)
    PUT    /v1/certificate                        new server certificate
"""
import json
import logging
import re

from octavia_aa.amphorae.backends.agent import errors
from octavia_aa.common import agent_app
from octavia_aa.common import agent_cert
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)
MAX_BODY = 8 << 20
_LB = r'(?P<lb>[A-Za-z0-9_.-]{1,200})'
_NAME = r'(?P<name>[A-Za-z0-9_.-]{1,200})'


class Application(agent_app.RoutedApplication):

    def __init__(self, agent):
        self.agent = agent
        a = agent
        self.routes = [(m, re.compile(p + '$'), h) for m, p, h in [
            ('GET', r'/', lambda req: {
                'versions': [wire.AGENT_API_VERSION],
                'api_version': wire.AGENT_API_VERSION}),
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
            ('PUT', r'/v1/vrrp', lambda req: a.vrrp.configure(
                self._json(req))),
            ('GET', r'/v1/vrrp', lambda req: a.vrrp.details()),
            ('DELETE', r'/v1/vrrp', lambda req: a.vrrp.delete()),
            ('PUT', r'/v1/certificate', lambda req:
             agent_cert.replace_server_cert(
                 a.conf.amphora_agent.agent_server_cert, self._body(req))),
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
            ('GET', r'/v1/loadbalancers/%s/udp' % _LB,
             lambda req, lb: a.udp.get(lb)),
            ('PUT', r'/v1/loadbalancers/%s/udp' % _LB,
             lambda req, lb: a.put_udp(lb, self._json(req))),
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
