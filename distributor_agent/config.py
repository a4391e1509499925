"""Configuration options of the distributor agent (oslo.config)."""
from oslo_config import cfg

from octavia_aa.common import agent_config

agent_opts = [
    cfg.StrOpt('distributor_id', required=True,
               help='UUID of this distributor; its server certificate must '
                    'be issued to this name and heartbeats carry it.'),
    *agent_config.server_opts('distributor_id'),
    cfg.StrOpt('state_file',
               default='/var/lib/octavia-aa/distributor-state.json',
               help='Where the agent keeps its registrations so that it '
                    'restores identical kernel tables after a restart.'),
    cfg.IntOpt('slots', default=4099, min=2,
               help='Number of slots M of every slot table (a prime). Both '
                    'distributors of a pair must use the same value.'),
    cfg.IntOpt('hash_seed', default=0x5eed, min=0, max=0xffffffff,
               help='Seed of the flow hash. Both distributors of a pair '
                    'must use the same value.'),
    cfg.IntOpt('max_positions', default=64, min=1, max=1024,
               help='Highest amphora position + 1 accepted in a '
                    'registration.'),
    cfg.IntOpt('flow_timeout', default=120, min=1,
               help='Seconds an idle flow stays pinned to its amphora.'),
    cfg.IntOpt('flow_table_size', default=65536, min=16,
               help='Maximum number of pinned flows per load balancer.'),
    cfg.StrOpt('vip_interface', default=None,
               help='Interface for VIPs plugged without mac_address or '
                    'interface in the request.'),
    cfg.IntOpt('default_probe_port', default=80, min=1, max=65535,
               help='TCP port probed on each amphora front-end IP unless '
                    'the VIP plug request names another.'),
    cfg.BoolOpt('manage_sysctls', default=True,
                help='Set arp_ignore=1/arp_announce=2 so a VIP is answered '
                     'only on the interface that carries it.'),
    agent_config.request_timeout_opt(),
]

health_opts = agent_config.heartbeat_opts(
    1.0, 'Seconds between heartbeats. Probe results are sent at once as '
    'well, not only at this interval.')

prober_opts = [
    # The controller sends its [distributor_probes] settings with every
    # VIP plug; these apply until the first one (same defaults).
    cfg.FloatOpt('interval', default=0.03, min=0.01,
                 help='Seconds between two probes of each amphora, until '
                      'the controller sends its own settings.'),
    cfg.FloatOpt('timeout', default=0.03, min=0.01,
                 help='Seconds a probe TCP connect may take, until the '
                      'controller sends its own settings.'),
    cfg.IntOpt('fall', default=2, min=1,
               help='Consecutive failed probes after which an amphora is '
                    'failed and its slots move (until the controller sends '
                    'its own settings). They move back only when the '
                    'controller activates it again.'),
]

vrrp_opts = [
    cfg.BoolOpt('enabled', default=False,
                help='Hold the VIPs with keepalived VRRPv3 together with a '
                     'peer distributor instead of holding them alone.'),
    cfg.StrOpt('interface', default=None,
               help='Interface VRRP advertisements are sent on '
                    '(default: vip_interface).'),
    cfg.IntOpt('virtual_router_id', default=51, min=1, max=255,
               help='VRRP router id, the same on both peers.'),
    cfg.IntOpt('priority', default=100, min=1, max=254,
               help='VRRP priority; the higher peer becomes master first.'),
    cfg.FloatOpt('advert_int', default=0.05, min=0.01, max=40,
                 help='VRRPv3 advertisement interval in seconds; the peer '
                      'takes over after about 3.6 intervals (0.05: ~0.2 s; '
                      'below that TCP retransmission dominates the gap).'),
    cfg.StrOpt('unicast_src_ip', default=None,
               help='Own address for unicast VRRP (multicast if unset).'),
    cfg.ListOpt('unicast_peers', default=[],
                help='Peer addresses for unicast VRRP.'),
    cfg.StrOpt('keepalived', default='keepalived',
               help='keepalived executable.'),
    cfg.StrOpt('run_dir', default='/run/octavia-aa-distributor',
               help='Directory for keepalived configuration and pid files.'),
    cfg.FloatOpt('pin_sync_interval', default=0.2, min=0.01, max=1.0,
                 help='Seconds at most from a change of the slot tables '
                      '(registration, drain, failed amphora, takeover) '
                      'until the VRRP master sends its flow pins to its '
                      'peer, so that flows held only by a pin (after a '
                      'scale-up, during a drain) survive a takeover.'),
    cfg.PortOpt('pin_sync_port', default=5557,
                help='UDP port pin sync datagrams are sent to and '
                     'received on.'),
    cfg.HostAddressOpt('pin_sync_group', default='224.0.0.18',
                       help='IPv4 multicast group the pins are sent to on '
                            'the VRRP interface when no unicast_peers are '
                            'set (default: the VRRP group, link-local, so '
                            'the pins go exactly where the adverts go).'),
    cfg.StrOpt('pin_sync_key', secret=True, default=None,
               help='Key of the HMAC-SHA256 that signs pin sync datagrams '
                    '(the same on both peers). Default: the heartbeat '
                    'key. Without either, pins are not shared.'),
    cfg.FloatOpt('supervise_interval', default=0.05, min=0.01,
                 help='Seconds between checks that keepalived is alive. If '
                      'it died, the VIPs are removed at once (so two nodes '
                      'never answer for them) and it is restarted.'),
]

GROUPS = (('distributor_agent', agent_opts),
          ('distributor_health', health_opts),
          ('distributor_prober', prober_opts),
          ('distributor_vrrp', vrrp_opts))


def register_opts(conf=cfg.CONF):
    agent_config.register_groups(GROUPS, conf)


def list_opts():
    return agent_config.list_groups(GROUPS)
