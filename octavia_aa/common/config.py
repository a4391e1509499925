"""All octavia-aa options (oslo.config), and the set-up of a process.

Names follow upstream Octavia's wherever one exists, so an Octavia operator
finds `[api_settings] bind_port` or `[controller_worker] compute_driver`
where they expect them.  With no config file at all every option has an
embedded default: SQLite in the state directory, in-process messaging,
noauth, API on 127.0.0.1:9876.
"""
import os
import socket
import warnings

# oslo.messaging imports oslo.service, which warns that eventlet is
# deprecated; we do not use eventlet, so the warning is only noise.
warnings.filterwarnings('ignore', message='(?s).*Eventlet is deprecated')

from oslo_config import cfg  # noqa: E402
from oslo_db import options as db_options  # noqa: E402
from oslo_log import log as logging  # noqa: E402
import oslo_messaging  # noqa: E402

from octavia_aa.certificates.managers import opts as cert_opts  # noqa: E402
from octavia_aa.common import constants as c  # noqa: E402

CONF = cfg.CONF

DEFAULT_STATE_PATH = os.path.join(os.path.expanduser('~'), '.local', 'state',
                                  'octavia-aa')

core_opts = [
    cfg.StrOpt('host', default=socket.gethostname(),
               sample_default='<server-hostname>',
               help='Name of this node, used as the RPC server name.'),
    cfg.StrOpt('state_path', default=DEFAULT_STATE_PATH,
               sample_default='$HOME/.local/state/octavia-aa',
               help='Directory where octavia-aa keeps its local state: the '
                    'embedded SQLite database, flow persistence and the '
                    'files of local amphorae and distributors.'),
    cfg.FloatOpt('stop_timeout', default=3.0, min=0.1,
                 help='Seconds a service told to stop (SIGTERM or SIGINT) '
                      'lets work under way finish before it exits anyway. '
                      'Flows cut short are persisted: this worker\'s next '
                      'run, or another worker\'s conductor once the job\'s '
                      'claim lapses, resumes them.'),
]

api_opts = [
    cfg.HostAddressOpt('bind_host', default='127.0.0.1',
                       help='Address the API server listens on.'),
    cfg.PortOpt('bind_port', default=9876,
                help='Port the API server listens on.'),
    cfg.IntOpt('api_workers', default=2, min=1,
               help='Number of API server processes (octavia-aa-api only; '
                    'the all-in-one serves from one process).'),
    cfg.IntOpt('api_threads', default=8, min=1,
               help='Threads per API server process.'),
    cfg.StrOpt('auth_strategy', default=c.NOAUTH,
               choices=[(c.NOAUTH, 'No authentication; every request is '
                                   'an admin of its project.'),
                        (c.KEYSTONE, 'Validate tokens with '
                                     'keystonemiddleware.')],
               help='How API requests are authenticated.'),
    cfg.StrOpt('default_project_id',
               default='00000000000000000000000000000001',
               help='With noauth, the project of requests that name none '
                    '(the openstack CLI sends no project without Keystone).'),
    cfg.BoolOpt('allow_pagination', default=True,
                help='Allow the use of pagination in list calls.'),
    cfg.BoolOpt('allow_sorting', default=True,
                help='Allow the use of sorting in list calls.'),
    cfg.BoolOpt('allow_field_selection', default=True,
                help='Allow the use of field selection (fields=) in lists.'),
    cfg.IntOpt('pagination_max_limit', default=1000, min=1,
               help='The most items a list call returns in one page.'),
    cfg.StrOpt('api_base_uri',
               help='Base URI used in links of responses (for example when '
                    'the API sits behind a proxy). Defaults to the URL of '
                    'the request.'),
    cfg.DictOpt('enabled_provider_drivers',
                # No ',' or ':' in a description: tools write this
                # option back as a DictOpt.
                default={'amphora': 'The octavia-aa amphora driver for '
                                    'SINGLE and ACTIVE_STANDBY and '
                                    'ACTIVE_ACTIVE load balancers.',
                         'octavia': 'Deprecated alias of the amphora '
                                    'driver.'},
                help='Provider drivers this API accepts, name:description '
                     '(every name is served by the amphora driver; '
                     '"octavia" is its alias, as upstream).'),
    cfg.StrOpt('default_provider_driver', default='amphora',
               help='Provider used when a request names none.'),
    cfg.BoolOpt('healthcheck_enabled', default=True,
                help='Serve the oslo.middleware healthcheck at '
                     '/healthcheck.'),
    cfg.BoolOpt('allow_ping_health_monitors', default=True,
                help='Allow users to create PING type health monitors '
                     '(as upstream Octavia\'s option of that name).'),
    cfg.IntOpt('udp_connect_min_interval_health_monitor', default=3,
               help='The minimum delay of a UDP-CONNECT health monitor, in '
                    'seconds; a negative value means no limit (as '
                    'upstream Octavia\'s option of that name).'),
]

controller_worker_opts = [
    # The embedded default is the local data plane: amphorae and
    # distributors are network namespaces on this host running the real
    # agents, HAProxy, nftables and keepalived.
    cfg.StrOpt('compute_driver', default='compute_netns_driver',
               help='Compute driver (stevedore name in '
                    'octavia_aa.compute.drivers: compute_netns_driver, '
                    'compute_noop_driver).'),
    cfg.StrOpt('network_driver', default='network_netns_driver',
               help='Network driver (stevedore name in '
                    'octavia_aa.network.drivers: network_netns_driver, '
                    'network_noop_driver).'),
    cfg.StrOpt('amphora_driver', default='amphora_rest_driver',
               help='Amphora driver (stevedore name in '
                    'octavia_aa.amphora.drivers: amphora_rest_driver, '
                    'amphora_noop_driver).'),
    cfg.StrOpt('distributor_driver', default='distributor_rest_driver',
               help='Distributor driver (stevedore name in '
                    'octavia_aa.distributor.drivers: distributor_rest_driver, '
                    'distributor_noop_driver).'),
    # What a cloud's compute driver boots (the netns driver records them:
    # one host has no images or flavors to choose).
    cfg.StrOpt('amp_image_tag',
               help='Image tag of the amphora image, when the flavor '
                    'profile names no amp_image_tag (as upstream '
                    'Octavia\'s).'),
    cfg.StrOpt('amp_flavor_id',
               help='Compute flavor of the amphorae, when the flavor '
                    'profile names no compute_flavor (as upstream '
                    'Octavia\'s).'),
    cfg.StrOpt('distributor_image_tag',
               help='Image tag of the distributor image.'),
    cfg.StrOpt('distributor_flavor_id',
               help='Compute flavor of the distributors.'),
    cfg.StrOpt('distributor_bootstrap', default='pair',
               choices=[('pair', 'a VRRP pair (MASTER and BACKUP)'),
                        ('single', 'one STANDALONE distributor'),
                        ('none', 'none; the operator creates them')],
               help='Distributors octavia-aa-all creates on start when the '
                    'database has none, so ACTIVE_ACTIVE load balancers '
                    'work on a fresh machine.'),
    cfg.IntOpt('distributor_wait', default=60, min=0,
               help='Seconds a new ACTIVE_ACTIVE load balancer waits for a '
                    'distributor that is still being built before it goes '
                    'to ERROR.'),
    cfg.PortOpt('amphora_probe_port', default=9441,
                help='TCP port on each ACTIVE_ACTIVE amphora\'s front-end '
                     'address where HAProxy accepts the distributor\'s '
                     'probes (a connect succeeds only while HAProxy runs).'),
    cfg.StrOpt('loadbalancer_topology', default=c.TOPOLOGY_ACTIVE_ACTIVE,
               choices=c.SUPPORTED_TOPOLOGIES,
               help='Topology of a load balancer whose flavor names none.'),
    cfg.IntOpt('cluster_desired_size', default=2, min=1, max=c.MAX_CLUSTER,
               help='Active amphorae of an ACTIVE_ACTIVE cluster whose '
                    'flavor names no cluster_desired_size.'),
    cfg.IntOpt('cluster_min_size', default=1, min=1, max=c.MAX_CLUSTER,
               help='Fewest ONLINE amphorae before an ACTIVE_ACTIVE cluster '
                    'is DOWN, when the flavor names no cluster_min_size.'),
    cfg.IntOpt('cluster_standby_count', default=1, min=0, max=c.MAX_CLUSTER,
               help='Standby amphorae (the "+1") of an ACTIVE_ACTIVE '
                    'cluster whose flavor names no cluster_standby_count.'),
    cfg.IntOpt('cluster_cooldown', default=60, min=0,
               help='Seconds between two resizes of one cluster, when the '
                    'flavor names no cluster_cooldown.'),
    cfg.IntOpt('drain_timeout', default=10, min=0,
               help='Seconds an amphora leaving its cluster (a smaller '
                    'desired size) gets for its connections to end, after '
                    'the distributor stopped sending it new ones and its '
                    'HTTP listeners started to close keep-alive '
                    'connections after each response; what is left is '
                    'then cut. 0 removes it at once.'),
    cfg.StrOpt('distributor_affinity', default=c.AFFINITY_SOURCE_IP_PORT,
               choices=[(c.AFFINITY_SOURCE_IP_PORT,
                         'each flow (connection) is hashed on its source '
                         'address and port: flows of one client spread '
                         'over the amphorae'),
                        (c.AFFINITY_SOURCE_IP,
                         'every flow of one client address goes to the '
                         'same amphora')],
               help='How the distributor keeps flows on an amphora, when '
                    'the flavor names no distributor_affinity.'),
    cfg.IntOpt('workers', default=1, min=1,
               help='Number of worker processes (octavia-aa-worker).'),
]

health_manager_opts = [
    # The management network's gateway address, which the netns network
    # driver puts on the management bridge: agents in their namespaces
    # reach the host there (their 127.0.0.1 is their own).
    cfg.IPOpt('bind_ip', default='192.0.2.193',
              help='Address the health manager receives heartbeats on '
                   '(bound even before the address exists, so the health '
                   'manager may start before the management network).'),
    cfg.PortOpt('bind_port', default=5555,
                help='UDP port the health manager receives heartbeats on.'),
    cfg.ListOpt('controller_ip_port_list', default=['192.0.2.193:5555'],
                mutable=True,
                help='ip:port pairs agents send their heartbeats to.'),
    cfg.IntOpt('heartbeat_interval', default=10, min=1, mutable=True,
               help='Seconds between two heartbeats of an agent.'),
    cfg.StrOpt('heartbeat_key', default='insecure', secret=True,
               mutable=True,
               help='Key that signs heartbeats (HMAC-SHA256).'),
    cfg.IntOpt('heartbeat_timeout', default=60, min=1,
               help='Seconds without a heartbeat before an amphora or a '
                    'distributor is stale.'),
    cfg.IntOpt('health_check_interval', default=3, min=1,
               help='Seconds between two searches for stale amphorae.'),
    cfg.IntOpt('failover_threshold', min=2,
               help='Stop failovers (circuit breaker) when this many '
                    'amphorae are stale at once. Unset: no limit.'),
]

cluster_manager_opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Run the cluster manager\'s reconcile passes in the '
                     'worker (octavia-aa-worker and octavia-aa-all).'),
    cfg.IntOpt('reconcile_interval', default=10, min=1,
               help='Seconds between two reconcile passes over all load '
                    'balancers; events (heartbeat timeouts, distributor '
                    'reports) wake it earlier for one load balancer.'),
    cfg.IntOpt('claim_timeout', default=60, min=2,
               help='Seconds a worker\'s claim on a load balancer lasts '
                    'without renewal (it is renewed every quarter of this '
                    'while held): after a worker dies, others wait this '
                    'long before taking its load balancers over.'),
    cfg.IntOpt('pending_timeout', default=300, min=1,
               help='Seconds an object may stay PENDING_* with no worker '
                    'claiming it before a reconcile pass takes it over '
                    '(finishes the persisted flow, or ends the object in '
                    'its end state or ERROR).'),
]

house_keeping_opts = [
    cfg.IntOpt('cleanup_interval', default=30, min=1,
               help='Seconds between two purges of deleted rows (and '
                    'sweeps of addresses whose owner is gone).'),
    cfg.IntOpt('orphan_address_age', default=600, min=1,
               help='Seconds an address allocation must exist before the '
                    'sweep may free it for having no owner (its owner, '
                    'such as a machine being built, may be recorded a '
                    'little after the address).'),
    cfg.IntOpt('cert_interval', default=3600, min=1,
               help='Seconds between two checks for agent certificates to '
                    'rotate.'),
    cfg.IntOpt('cert_expiry_buffer', default=14 * 86400, min=0,
               help='Seconds before its expiration that the server '
                    'certificate of an amphora or distributor agent is '
                    'replaced by a new one (as upstream Octavia\'s option '
                    'of that name). The agents\' certificates are valid '
                    '30 days.'),
]

quota_opts = [
    cfg.IntOpt('default_load_balancer_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project load balancer quota (-1: none).'),
    cfg.IntOpt('default_listener_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project listener quota (-1: none).'),
    cfg.IntOpt('default_member_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project member quota (-1: none).'),
    cfg.IntOpt('default_pool_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project pool quota (-1: none).'),
    cfg.IntOpt('default_health_monitor_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project health monitor quota (-1: none).'),
    cfg.IntOpt('default_l7policy_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project L7 policy quota (-1: none).'),
    cfg.IntOpt('default_l7rule_quota', default=c.QUOTA_UNLIMITED,
               help='Default per-project L7 rule quota (-1: none).'),
]

networking_opts = [
    cfg.ListOpt('subnets', default=['public-subnet', 'private-subnet'],
                help='Names of the subnets this service offers. Each has a '
                     'section [subnet:NAME] with its cidr, gateway_ip, '
                     'allocation range and network name. They are served '
                     'read-only at /v2.0/subnets and /v2.0/networks, so '
                     '`--vip-subnet-id NAME` works in the openstack CLI.'),
    cfg.ListOpt('reserved_ips', default=['169.254.169.254'],
                item_type=cfg.types.IPAddress(),
                help='IP addresses no member may use (as upstream '
                     'Octavia\'s option of that name; the default is the '
                     'metadata service).'),
]

# Options of one [subnet:NAME] section.  Embedded defaults exist for the
# two DevStack-like names, so no config file is needed.
subnet_opts = [
    cfg.StrOpt('cidr', help='CIDR of the subnet, e.g. 198.51.100.0/24.'),
    cfg.StrOpt('gateway_ip', help='Gateway address of the subnet.'),
    cfg.StrOpt('allocation_start',
               help='First address handed out (default: gateway + 1).'),
    cfg.StrOpt('allocation_end',
               help='Last address handed out (default: last host).'),
    cfg.StrOpt('network_name',
               help='Name of the network that holds the subnet.'),
    cfg.IntOpt('mtu', default=1500, min=68, help='MTU of the network.'),
]

SUBNET_DEFAULTS = {
    'public-subnet': {'cidr': '198.51.100.0/24', 'gateway_ip': '198.51.100.1',
                      'allocation_start': '198.51.100.10',
                      'allocation_end': '198.51.100.250',
                      'network_name': 'public'},
    'private-subnet': {'cidr': '203.0.113.0/24', 'gateway_ip': '203.0.113.1',
                       'allocation_start': '203.0.113.10',
                       'allocation_end': '203.0.113.250',
                       'network_name': 'private'},
    # The management network of the netns data plane ([netns]
    # management_subnet); not offered to users for VIPs.  A /26 at the
    # top of 192.0.2.0/24: hosts that sit in that documentation range
    # themselves usually have their gateway at .1, which the bridge must
    # not take over (the longer prefix keeps the rest of the /24 on eth0).
    'lb-mgmt-subnet': {'cidr': '192.0.2.192/26', 'gateway_ip': '192.0.2.193',
                       'allocation_start': '192.0.2.194',
                       'allocation_end': '192.0.2.254',
                       'network_name': 'lb-mgmt-net'},
}

task_flow_opts = [
    cfg.StrOpt('engine', default='parallel',
               choices=['serial', 'parallel'],
               help='Taskflow engine used by the worker.'),
    cfg.IntOpt('max_workers', default=64, min=1,
               help='Threads of the parallel Taskflow engine, shared by '
                    'every flow of the worker: tasks that wait on '
                    'machines (a boot, an agent call) hold one each, so '
                    'it bounds how many amphorae are built at once '
                    '(a cluster of 8+1 needs 9; 8 load balancers of 3+1 '
                    'created together, 32).'),
    cfg.StrOpt('persistence_connection', secret=True,
               help='SQLAlchemy URL where flows are persisted so that an '
                    'interrupted flow can be resumed. Default: a SQLite '
                    'file in the state directory.'),
    cfg.BoolOpt('jobboard_enabled', default=False,
                help='Post flows on a jobboard (Redis) so that any worker '
                     'can claim and finish them.'),
    cfg.ListOpt('jobboard_backend_hosts', default=['127.0.0.1'],
                help='Jobboard backend (Redis) hosts.'),
    cfg.PortOpt('jobboard_backend_port', default=6379,
                help='Jobboard backend (Redis) port.'),
    cfg.StrOpt('jobboard_backend_password', secret=True, default='',
               help='Jobboard backend password.'),
    cfg.StrOpt('jobboard_backend_namespace', default='octavia_aa_jobboard',
               help='Jobboard name (Redis key prefix).'),
    cfg.IntOpt('jobboard_expiration_time', default=30, min=1,
               help='Seconds a claimed job stays claimed without renewal '
                    'before another worker may take it over.'),
]


def _register(conf):
    conf.register_opts(core_opts)
    conf.register_opts(api_opts, group='api_settings')
    conf.register_opts(controller_worker_opts, group='controller_worker')
    conf.register_opts(health_manager_opts, group='health_manager')
    conf.register_opts(cluster_manager_opts, group='cluster_manager')
    conf.register_opts(house_keeping_opts, group='house_keeping')
    conf.register_opts(quota_opts, group='quotas')
    conf.register_opts(networking_opts, group='networking')
    conf.register_opts(task_flow_opts, group='task_flow')
    # The API checks references and the worker uploads certificates:
    # both read [certificates], so it is registered with the rest.
    cert_opts.register_opts(conf)
    db_options.set_defaults(conf)


_register(CONF)


def register_logging_opts(conf=CONF):
    """oslo.log's options, several of them command-line options.

    Registered by the process that parses its own command line (init()),
    never at import: tools such as oslopolicy-policy-generator parse
    cfg.CONF first and then import us through an entry point, and a CLI
    option registered after parsing raises ArgsAlreadyParsedError."""
    logging.register_options(conf)


def list_opts():
    """Options for oslo-config-generator."""
    return [
        ('DEFAULT', core_opts),
        ('api_settings', api_opts),
        ('controller_worker', controller_worker_opts),
        ('health_manager', health_manager_opts),
        ('cluster_manager', cluster_manager_opts),
        ('house_keeping', house_keeping_opts),
        ('quotas', quota_opts),
        ('networking', networking_opts),
        ('subnet:public-subnet', subnet_opts),
        ('task_flow', task_flow_opts),
    ]


def set_lib_defaults():
    """Our defaults for library options (oslo.config.opts.defaults)."""
    oslo_messaging.set_transport_defaults(control_exchange='octavia_aa')
    CONF.register_opts(oslo_messaging.transport._transport_opts)
    # In-process messaging unless the operator names a broker; it is what
    # the all-in-one needs and it makes a missing broker impossible.
    cfg.set_defaults(oslo_messaging.transport._transport_opts,
                     transport_url='fake://')
    # Set on the option objects themselves so the sample config shows them.
    # oslo.db with SQLite's NullPool rejects pool_timeout (see notes).
    cfg.set_defaults(db_options.database_opts,
                     connection='sqlite:///$state_path/octavia-aa.sqlite',
                     pool_timeout=None)
    from octavia_aa.api import middleware
    middleware.set_cors_defaults()


set_lib_defaults()


def subnet_group(name):
    """The options of [subnet:NAME], registered on first use."""
    group = 'subnet:%s' % name
    if group not in CONF:
        CONF.register_opts(subnet_opts, group=group)
        for key, value in SUBNET_DEFAULTS.get(name, {}).items():
            CONF.set_default(key, value, group=group)
    return CONF[group]


def init(argv=None, default_config_files=None, project='octavia-aa'):
    """Parse the command line and config files and set up logging."""
    register_logging_opts(CONF)
    # pyroute2 logs every netlink message at debug: with debug on, a
    # build of 8 machines wrote thousands of lines (CPU the builds lack).
    logging.set_defaults(default_log_levels=logging.get_default_log_levels()
                         + ['stevedore=WARN', 'taskflow=WARN',
                            'pyroute2=WARN'])
    CONF(argv if argv is not None else [], project=project,
         default_config_files=default_config_files)
    logging.setup(CONF, project)
    os.makedirs(CONF.state_path, exist_ok=True)
