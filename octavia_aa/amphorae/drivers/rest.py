"""Amphora driver over the amphora agent's REST API
(amphorae/backends/agent/app.py), through the shared mTLS agent client.
HAProxy configurations are rendered here, on the controller, and uploaded
whole."""
import logging

from oslo_config import cfg

from octavia_aa import topology
from octavia_aa.amphorae import udp_config
from octavia_aa.amphorae.drivers import base
from octavia_aa.amphorae.drivers import rest_opts
from octavia_aa.amphorae.drivers import vrrp_opts
from octavia_aa.amphorae.haproxy import render
from octavia_aa.certificates.managers import base as cert_base
from octavia_aa.common import agent_client
from octavia_aa.common import constants as c
from octavia_aa.common import drivers

LOG = logging.getLogger(__name__)


class AmphoraAgentError(agent_client.AgentError):
    agent = 'amphora agent'


class NotFound(AmphoraAgentError):
    pass


def _tls_refs(config):
    """(reference, kind) of every certificate the configuration uses."""
    refs = set()
    for obj in config.get('listeners', []) + config.get('pools', []):
        for field, kind in cert_base.FIELD_KINDS.items():
            value = obj.get(field)
            for ref in (value if isinstance(value, list) else [value]):
                if ref:
                    refs.add((ref, kind))
    return sorted(refs)


class RestAmphoraDriver(base.AmphoraDriver):
    # HAProxy serves these (PROMETHEUS with its own exporter), the
    # agent's nftables UDP service the UDP ones; keepalived the VRRP VIP.
    listener_protocols = frozenset(render.HAPROXY_LISTENERS
                                   + udp_config.PROTOCOLS)
    pool_protocols = frozenset(c.POOL_PROTOCOLS) - {c.PROTOCOL_SCTP}
    # Pools whose members must share the VIP's IP family (one nftables
    # table family per load balancer).
    single_family_protocols = frozenset({c.PROTOCOL_UDP})
    # Why a protocol or algorithm is not served, for the API's 400.
    refusals = {
        c.PROTOCOL_SCTP: 'the amphora balances UDP with nftables NAT '
        'because this kernel has no IPVS (CONFIG_IP_VS), and it has no '
        'SCTP sockets either (CONFIG_IP_SCTP), so SCTP members could be '
        'neither health-checked nor tested here',
        ('UDP', 'LEAST_CONNECTIONS'): 'nftables, which balances UDP in the '
        'amphora (this kernel has no IPVS), has no least-connection '
        'scheduler; use ROUND_ROBIN or SOURCE_IP'}
    vip_holders = frozenset({topology.VIP_BY_AMPHORA, topology.VIP_BY_VRRP,
                             topology.VIP_BY_DISTRIBUTOR})

    def __init__(self, conf=None):
        self.conf = conf or cfg.CONF
        self.opts = rest_opts.register_opts(self.conf)
        self.vrrp_opts = vrrp_opts.register_opts(self.conf)
        self._client = agent_client.AgentClient(self.opts, AmphoraAgentError,
                                                NotFound)

    def _call(self, method, amphora, path, body=None, raw=None,
              retries=None):
        return self._client.call(method, amphora, path, body, raw, retries)

    # -- the AmphoraDriver interface -----------------------------------
    def get_info(self, amphora):
        return self._call('GET', amphora, 'info')

    def wait_for_agent(self, amphora):
        info = self.get_info(amphora)
        if info.get('id') != amphora.id:     # belt and braces over TLS
            raise AmphoraAgentError(200, 'agent reports id %s, expected %s'
                                    % (info.get('id'), amphora.id))
        return info

    def finalize(self, amphora):
        return self.get_info(amphora)

    def plug_vip(self, amphora, vip, arp):
        body = {'ip_address': vip['ip_address'],
                'subnet_cidr': vip['subnet_cidr'],
                'gateway': vip.get('gateway'), 'mtu': vip.get('mtu'),
                'mac_address': vip['mac'], 'arp': bool(arp),
                'vrrp': bool(vip.get('vrrp')),
                'host_routes': vip.get('host_routes') or [],
                'fixed_ips': [amphora.vrrp_ip] if getattr(
                    amphora, 'vrrp_ip', None) else []}
        return self._call('PUT', amphora, 'plug/vip', body)

    def plug_network(self, amphora, port, subnet_cidr, mtu=None):
        """A member network port (from the network driver) in service."""
        return self._call('PUT', amphora, 'plug/network', {
            'mac_address': port['mac'], 'mtu': mtu,
            'fixed_ips': [{'ip_address': port['ip'],
                           'subnet_cidr': subnet_cidr}]})

    def upload_certificates(self, amphora, lb_id, config):
        manager = drivers.get('cert_manager')
        for ref, kind in _tls_refs(config):
            self._call('PUT', amphora, 'loadbalancers/%s/certificates/%s'
                       % (lb_id, render.cert_filename(ref)),
                       raw=manager.get_pem(ref, kind))

    def update_config(self, amphora, config, peers=None):
        """Render for this amphora and install."""
        lb_id = config['load_balancer']['id']
        self.upload_certificates(amphora, lb_id, config)
        text = render.render_config(config, amphora.id, list(peers or []),
                                    probe=self._probe(amphora, config))
        result = self._call('PUT', amphora, 'loadbalancers/%s/haproxy'
                            % lb_id, raw=text.encode())
        # Always sent: an empty document removes UDP listeners gone.
        self._call('PUT', amphora, 'loadbalancers/%s/udp' % lb_id,
                   udp_config.build(config))
        return result

    def _probe(self, amphora, config):
        """Where a distributor probes the amphora (a topology whose VIP a
        distributor holds): its own front-end address, never the VIP it
        shares."""
        name = config['load_balancer'].get('topology')
        if (name is None or not getattr(amphora, 'vrrp_ip', None) or
                topology.get(name).vip_holder !=
                topology.VIP_BY_DISTRIBUTOR):
            return None
        return (amphora.vrrp_ip,
                self.conf.controller_worker.amphora_probe_port)

    def delete_config(self, amphora, lb_id):
        try:
            return self._call('DELETE', amphora, 'loadbalancers/%s' % lb_id)
        except NotFound:
            return None

    def configure_vrrp(self, amphora, peers, priority, vip=None):
        o = self.vrrp_opts
        return self._call('PUT', amphora, 'vrrp', {
            'vip': vip['ip_address'],
            'prefixlen': int(vip['subnet_cidr'].rsplit('/', 1)[1]),
            'mac_address': vip['mac'], 'priority': priority,
            'unicast_src_ip': amphora.vrrp_ip, 'unicast_peers': list(peers),
            'virtual_router_id': o.vrrp_virtual_router_id,
            'advert_int': o.vrrp_advert_int,
            'check_interval': o.vrrp_check_interval,
            'check_fall': o.vrrp_fail_count,
            'check_rise': o.vrrp_success_count,
            'garp_refresh_interval': o.vrrp_garp_refresh_interval})

    def release_vrrp(self, amphora):
        # One try, short: the amphora may be the broken one.
        return self._client.call('DELETE', amphora, 'vrrp', retries=1,
                                 timeout=(5, 15))

    def reload(self, amphora):
        lb_id = amphora.load_balancer_id
        return self._call('PUT', amphora, 'loadbalancers/%s/reload' % lb_id)

    def drain(self, amphora):
        lb_id = amphora.load_balancer_id
        return self._call('PUT', amphora, 'loadbalancers/%s/drain' % lb_id)

    def get_stats(self, amphora):
        return self._call('GET', amphora, 'stats')['listeners']

    def update_agent_config(self, amphora, agent_config):
        allowed = ('controller_ip_port_list', 'heartbeat_interval',
                   'heartbeat_key')
        return self._call('PUT', amphora, 'config', {
            k: v for k, v in agent_config.items() if k in allowed})

    def update_server_cert(self, amphora, pem):
        return self._call('PUT', amphora, 'certificate', raw=pem)
