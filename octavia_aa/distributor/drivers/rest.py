"""Distributor driver over the distributor agent's REST API
(distributor_agent/app.py), through the shared mTLS agent client."""
import logging

from oslo_config import cfg
import requests

from octavia_aa.common import agent_client
from octavia_aa.common import constants as c
from octavia_aa.common import wire
from octavia_aa.distributor import probe_opts
from octavia_aa.distributor.drivers import base
from octavia_aa.distributor.drivers import rest_opts

LOG = logging.getLogger(__name__)


class DistributorAgentError(agent_client.AgentError):
    agent = 'distributor agent'


class NotFound(DistributorAgentError):
    pass


# Once connected, a live agent answers GET info in milliseconds; one that
# accepts but does not answer within this is as good as dead.
PEER_CHECK_READ_TIMEOUT = 2.0

# The agent knows slot roles, not amphora roles.
_ROLES = {c.ROLE_IN_CLUSTER: wire.SLOT_ACTIVE,
          c.ROLE_IN_CLUSTER_STANDBY: wire.SLOT_STANDBY}


def _agent_entry(amp):
    entry = dict(amp)
    if 'role' in entry:
        entry['role'] = _ROLES.get(entry['role'], entry['role'])
    return entry


class RestDistributorDriver(base.DistributorDriver):

    def __init__(self, conf=None):
        self.conf = conf or cfg.CONF
        self.opts = rest_opts.register_opts(self.conf)
        self.probes = probe_opts.register_opts(self.conf)
        self._client = agent_client.AgentClient(
            self.opts, DistributorAgentError, NotFound)

    def _call(self, method, distributor, path, body=None):
        try:
            return self._client.call(method, distributor, path, body)
        except (requests.exceptions.ConnectionError,
                requests.exceptions.Timeout) as exc:
            # Named like the error it replaces, so a flow's fault still
            # says what happened on the wire.  A TLS failure is a
            # ConnectionError to requests, and so one here: the member
            # is skipped while its peer answers, as before.
            raise base.DistributorUnreachable(
                '%s: %s' % (type(exc).__name__, exc)) from exc

    def alive(self, distributor):
        try:
            self._client.call('GET', distributor, 'info', retries=0,
                              timeout=(self.probes.peer_check_timeout,
                                       PEER_CHECK_READ_TIMEOUT))
        except (requests.exceptions.ConnectionError,
                requests.exceptions.Timeout) as exc:
            LOG.info('Distributor %s does not answer: %s', distributor.id,
                     exc)
            return False
        except DistributorAgentError:
            pass        # it answered, if with an error
        return True

    def get_info(self, distributor):
        # Not part of the driver interface (tests and image checks ask
        # it): the transport's own errors, TLS ones told apart.
        return self._client.call('GET', distributor, 'info')

    def plug_vip(self, distributor, load_balancer_id, vip_address,
                 subnet_cidr, gateway, mac_address=None,
                 affinity='SOURCE_IP', probe_port=None):
        body = {'vip_address': vip_address, 'subnet_cidr': subnet_cidr,
                'gateway': gateway, 'mac_address': mac_address,
                'affinity': affinity, 'probe_port': probe_port,
                # The controller's settings, not each machine's own.
                'prober': probe_opts.probe_settings(self.conf)}
        body = {k: v for k, v in body.items() if v is not None}
        path = 'loadbalancers/%s/vip' % load_balancer_id
        try:
            return self._call('PUT', distributor, path, body)
        except DistributorAgentError as exc:
            # An agent older than the prober settings: plug anyway, it
            # probes with its own.
            if exc.status != 400 or not isinstance(exc.body, dict) or \
                    exc.body.get('field') != 'prober':
                raise
            LOG.warning('Distributor %s does not take prober settings: '
                        'upgrade its image', distributor.id)
            del body['prober']
            return self._call('PUT', distributor, path, body)

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
                          {'amphorae': [_agent_entry(a) for a in amphorae],
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

    def update_server_cert(self, distributor, pem):
        try:
            return self._client.call('PUT', distributor, 'certificate',
                                     raw=pem)
        except (requests.exceptions.ConnectionError,
                requests.exceptions.Timeout) as exc:
            raise base.DistributorUnreachable(
                '%s: %s' % (type(exc).__name__, exc)) from exc
