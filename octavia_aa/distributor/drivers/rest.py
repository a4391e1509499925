"""mTLS REST client of the distributor agent (distributor_agent/app.py).

Every agent call sets state, so connection failures are retried; TLS
failures are not (a wrong certificate will not fix itself, and an agent
presenting another name must never be talked to).
"""
import json
import logging
import time

import requests
from oslo_config import cfg

from octavia_aa.certificates import tls
from octavia_aa.distributor import config
from octavia_aa.distributor.drivers import base

LOG = logging.getLogger(__name__)


class DistributorAgentError(Exception):
    def __init__(self, status, body):
        self.status = status
        self.body = body
        message = body.get('message') if isinstance(body, dict) else body
        super().__init__('distributor agent answered %s: %s'
                         % (status, message))


class NotFound(DistributorAgentError):
    pass


class RestDistributorDriver(base.DistributorDriver):

    def __init__(self, conf=None):
        self.conf = conf or cfg.CONF
        if config.GROUP not in self.conf:
            config.register_opts(self.conf)
        self.opts = self.conf[config.GROUP]
        self._sessions = {}

    def _session(self, distributor):
        key = str(distributor.id)
        if key not in self._sessions:
            self._sessions[key] = tls.pinned_session(
                key, self.opts.client_cert, self.opts.server_ca)
        return self._sessions[key]

    def _url(self, distributor, path):
        host = distributor.lb_network_ip
        if ':' in host:
            host = '[%s]' % host
        return 'https://%s:%d/%s/%s' % (host, self.opts.agent_port,
                                        self.opts.api_version, path)

    def _call(self, method, distributor, path, body=None):
        url = self._url(distributor, path)
        data = None if body is None else json.dumps(body)
        attempt = 0
        while True:
            try:
                resp = self._session(distributor).request(
                    method, url, data=data,
                    headers={'Content-Type': 'application/json'},
                    timeout=(self.opts.connect_timeout,
                             self.opts.read_timeout))
                break
            except requests.exceptions.SSLError:
                raise
            except requests.exceptions.ConnectionError as exc:
                attempt += 1
                if attempt > self.opts.connection_max_retries:
                    raise
                LOG.warning('distributor %s not reachable (%s), retry %d',
                            distributor.id, exc, attempt)
                time.sleep(self.opts.connection_retry_interval)
        try:
            answer = resp.json()
        except ValueError:
            answer = resp.text
        if resp.status_code == 404:
            raise NotFound(resp.status_code, answer)
        if resp.status_code >= 400:
            raise DistributorAgentError(resp.status_code, answer)
        return answer

    def get_info(self, distributor):
        return self._call('GET', distributor, 'info')

    def plug_vip(self, distributor, load_balancer_id, vip_address,
                 subnet_cidr, gateway, mac_address=None,
                 affinity='SOURCE_IP', probe_port=None):
        body = {'vip_address': vip_address, 'subnet_cidr': subnet_cidr,
                'gateway': gateway, 'mac_address': mac_address,
                'affinity': affinity, 'probe_port': probe_port}
        return self._call('PUT', distributor,
                          'loadbalancers/%s/vip' % load_balancer_id,
                          {k: v for k, v in body.items() if v is not None})

    def unplug_vip(self, distributor, load_balancer_id):
        try:
            return self._call('DELETE', distributor,
                              'loadbalancers/%s/vip' % load_balancer_id)
        except NotFound:
            return None        # already unplugged: the desired state

    def register_amphorae(self, distributor, load_balancer_id, amphorae,
                          exclusive=False):
        return self._call('PUT', distributor,
                          'loadbalancers/%s/amphorae' % load_balancer_id,
                          {'amphorae': list(amphorae),
                           'exclusive': exclusive})

    def unregister_amphorae(self, distributor, load_balancer_id,
                            amphora_ids):
        return self._call('POST', distributor,
                          'loadbalancers/%s/amphorae/unregister'
                          % load_balancer_id,
                          {'amphora_ids': list(amphora_ids)})

    def drain_amphora(self, distributor, load_balancer_id, amphora_id):
        return self._call('PUT', distributor, 'loadbalancers/%s/amphorae/%s/'
                          'drain' % (load_balancer_id, amphora_id))

    def activate_amphora(self, distributor, load_balancer_id, amphora_id):
        return self._call('PUT', distributor, 'loadbalancers/%s/amphorae/%s/'
                          'activate' % (load_balancer_id, amphora_id))

    def get_status(self, distributor, load_balancer_id=None):
        if load_balancer_id:
            return self._call('GET', distributor,
                              'loadbalancers/%s' % load_balancer_id)
        return self._call('GET', distributor, 'status')
