"""Distributor driver over the distributor agent's REST API
(distributor_agent/app.py), through the shared mTLS agent client."""
import logging

from oslo_config import cfg

from octavia_aa.common import agent_client
from octavia_aa.common import constants as c
from octavia_aa.common import wire
from octavia_aa.distributor.drivers import base
from octavia_aa.distributor.drivers import rest_opts

LOG = logging.getLogger(__name__)


class DistributorAgentError(agent_client.AgentError):
    agent = 'distributor agent'


class NotFound(DistributorAgentError):
    pass


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
        self._client = agent_client.AgentClient(
            self.opts, DistributorAgentError, NotFound)

    def _call(self, method, distributor, path, body=None):
        return self._client.call(method, distributor, path, body)

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
