"""WSGI application: the distributor agent's versioned REST API.

    GET    /                                      versions
    GET    /v1/info | /v1/details | /v1/status
    GET    /v1/loadbalancers
    PUT    /v1/loadbalancers/{lb}/vip             plug (idempotent)
    DELETE /v1/loadbalancers/{lb}/vip             unplug
    GET    /v1/loadbalancers/{lb}                 status and counters
    PUT    /v1/loadbalancers/{lb}/amphorae        register
    POST   /v1/loadbalancers/{lb}/amphorae/unregister
    PUT    /v1/loadbalancers/{lb}/amphorae/{amp}/drain
    PUT    /v1/loadbalancers/{lb}/amphorae/{amp}/activate
    PUT    /v1/certificate                        new server certificate
"""
import json
import logging
import re

from distributor_agent import errors
from distributor_agent import schema
from octavia_aa.common import agent_app
from octavia_aa.common import agent_cert
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)
API_VERSION = wire.AGENT_API_VERSION
MAX_BODY = 1 << 20
_ID = r'(?P<lb>[A-Za-z0-9_.:-]{1,255})'
_AMP = r'(?P<amp>[A-Za-z0-9_.:-]{1,255})'


class Application(agent_app.RoutedApplication):

    def __init__(self, agent):
        self.agent = agent
        self.routes = [
            ('GET', r'/', self.versions),
            ('GET', r'/v1/info', lambda req: agent.info()),
            ('GET', r'/v1/details', lambda req: agent.details()),
            ('GET', r'/v1/status', self.full_status),
            ('GET', r'/v1/loadbalancers', lambda req: {
                'load_balancers': agent.status()}),
            ('PUT', r'/v1/loadbalancers/%s/vip' % _ID, self.plug),
            ('DELETE', r'/v1/loadbalancers/%s/vip' % _ID,
             lambda req, lb: agent.unplug_vip(lb)),
            ('GET', r'/v1/loadbalancers/%s' % _ID,
             lambda req, lb: agent.status(lb)),
            ('PUT', r'/v1/loadbalancers/%s/amphorae' % _ID, self.register),
            ('POST', r'/v1/loadbalancers/%s/amphorae/unregister' % _ID,
             self.unregister),
            ('PUT', r'/v1/loadbalancers/%s/amphorae/%s/drain' % (_ID, _AMP),
             lambda req, lb, amp: agent.drain(lb, amp)),
            ('PUT', r'/v1/loadbalancers/%s/amphorae/%s/activate'
             % (_ID, _AMP), lambda req, lb, amp: agent.activate(lb, amp)),
            ('PUT', r'/v1/certificate', lambda req:
             agent_cert.replace_server_cert(
                 agent.conf.distributor_agent.agent_server_cert, req.body)),
        ]
        self.routes = [(m, re.compile(p + '$'), h) for m, p, h in self.routes]

    @staticmethod
    def versions(req):
        return {'versions': [API_VERSION], 'api_version': API_VERSION}

    def full_status(self, req):
        return {'id': self.agent.opts.distributor_id,
                'vrrp': self.agent.vrrp.details() if self.agent.vrrp
                else None,
                'load_balancers': self.agent.status()}

    @staticmethod
    def _json(req):
        if req.content_length and req.content_length > MAX_BODY:
            raise errors.BadRequest('body', 'too large')
        try:
            return json.loads(req.body or b'null')
        except ValueError as exc:
            raise errors.BadRequest('body', 'not valid JSON: %s' % exc)

    def plug(self, req, lb):
        return self.agent.plug_vip(lb, schema.plug(self._json(req)))

    def register(self, req, lb):
        amps, exclusive = schema.register(self._json(req),
                                          self.agent.opts.max_positions)
        return self.agent.register(lb, amps, exclusive)

    def unregister(self, req, lb):
        return self.agent.unregister(lb, schema.unregister(self._json(req)))
