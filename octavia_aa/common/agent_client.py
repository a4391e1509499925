"""The controller's mTLS REST client of an agent (distributor or amphora).

Every agent call sets state, so connection failures are retried; TLS
failures are not (a wrong certificate will not fix itself, and an agent
presenting another name than the entity id must never be talked to).
"""
import json
import logging
import time

from oslo_config import cfg
import requests

from octavia_aa.certificates import tls
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)


def client_opts(entity, read_timeout, read_timeout_help, max_retries,
                retries_help):
    """The options of a controller-side client of `entity` agents (the
    amphora and the distributor driver each register them in their own
    group)."""
    return [
        cfg.StrOpt('client_cert', default='$state_path/ca/controller.pem',
                   help='PEM with the controller client certificate and '
                        'key, signed by the client CA the agents trust.'),
        cfg.StrOpt('server_ca', default='$state_path/ca/server_ca.pem',
                   help='CA that signs %(e)s agent certificates. An agent '
                        'is also refused unless its certificate is issued '
                        'to the %(e)s id the controller expects.'
                        % {'e': entity}),
        cfg.PortOpt('agent_port', default=9443,
                    help='TCP port of the %s agent REST API.' % entity),
        cfg.StrOpt('api_version', default=wire.AGENT_API_VERSION,
                   help='Agent API version prefix.'),
        cfg.FloatOpt('connect_timeout', default=5.0, min=0.1,
                     help='Seconds to establish a connection to an agent.'),
        cfg.FloatOpt('read_timeout', default=read_timeout, min=0.1,
                     help=read_timeout_help),
        cfg.IntOpt('connection_max_retries', default=max_retries, min=0,
                   help=retries_help),
        cfg.FloatOpt('connection_retry_interval', default=1.0, min=0,
                     help='Seconds between two such retries.'),
    ]


def register_client_opts(conf, group, opts):
    """Register once (several drivers and tools ask); the group's
    options."""
    if group not in conf or opts[0].dest not in conf[group]:
        conf.register_opts(opts, group=group)
    return conf[group]


class AgentError(Exception):
    agent = 'agent'

    def __init__(self, status, body):
        self.status = status
        self.body = body
        message = body.get('message') if isinstance(body, dict) else body
        # The amphora agent adds HAProxy's own words to a refused config.
        detail = body.get('haproxy_output') if isinstance(body, dict) \
            else None
        super().__init__('%s answered %s: %s%s' % (
            self.agent, status, message, '\n' + detail if detail else ''))


def _closed_early(exc):
    text = str(exc)
    return 'EOF occurred' in text or 'UNEXPECTED_EOF' in text or \
        'Connection reset' in text


class AgentClient:
    """opts: the option group with client_cert, server_ca, agent_port,
    api_version, connect_timeout, read_timeout, connection_max_retries and
    connection_retry_interval.  error/not_found: the caller's exception
    classes (subclasses of AgentError)."""

    def __init__(self, opts, error, not_found):
        self.opts = opts
        self.error = error
        self.not_found = not_found
        self._sessions = {}

    def _session(self, entity):
        key = str(entity.id)
        if key not in self._sessions:
            self._sessions[key] = tls.pinned_session(
                key, self.opts.client_cert, self.opts.server_ca)
        return self._sessions[key]

    def _url(self, entity, path):
        host = entity.lb_network_ip
        if ':' in host:
            host = '[%s]' % host
        return 'https://%s:%d/%s/%s' % (host, self.opts.agent_port,
                                        self.opts.api_version, path)

    def call(self, method, entity, path, body=None, raw=None, retries=None,
             timeout=None):
        """JSON `body` or bytes `raw`; returns the decoded answer.
        `timeout` ((connect, read) seconds) replaces the configured
        ones."""
        url = self._url(entity, path)
        if raw is not None:
            data, ctype = raw, 'application/octet-stream'
        else:
            data = None if body is None else json.dumps(body)
            ctype = 'application/json'
        retries = self.opts.connection_max_retries if retries is None \
            else retries
        attempt = 0
        while True:
            try:
                resp = self._session(entity).request(
                    method, url, data=data, headers={'Content-Type': ctype},
                    timeout=timeout or (self.opts.connect_timeout,
                                        self.opts.read_timeout))
                break
            except requests.exceptions.SSLError as exc:
                # A certificate problem will not fix itself; an EOF during
                # the handshake is the agent closing an idle keep-alive
                # connection (or restarting): a connection failure.
                if not _closed_early(exc):
                    raise
                attempt += 1
                if attempt > max(retries, 1):
                    raise
                LOG.debug('%s %s closed the connection (%s), retry %d',
                          self.error.agent, entity.id, exc, attempt)
            except requests.exceptions.ConnectionError as exc:
                attempt += 1
                if attempt > retries:
                    raise
                LOG.debug('%s %s not reachable (%s), retry %d',
                          self.error.agent, entity.id, exc, attempt)
                time.sleep(self.opts.connection_retry_interval)
        try:
            answer = resp.json()
        except ValueError:
            answer = resp.text
        if resp.status_code == 404:
            raise self.not_found(resp.status_code, answer)
        if resp.status_code >= 400:
            raise self.error(resp.status_code, answer)
        return answer
