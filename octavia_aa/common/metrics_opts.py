"""[metrics]: the Prometheus endpoint and how each process's own
figures reach a scrape.

The API serves /metrics: the database-derived gauges (clusters,
amphorae, distributors, slots, heartbeat ages) are computed there at
scrape time, so any API process answers the same.  Counters and
histograms are process-local.  The API's gunicorn workers share a
directory (prometheus_client's multiprocess mode): they are forks
behind one port, so one scrape must add them up.  The worker and the
health manager each serve their own port instead: they run on other
hosts as often as not (a directory is not shared across hosts) and
restart on their own (a restarted process's files would need cleaning
by someone else), and one Prometheus target per process is what
Prometheus expects.  The all-in-one hosts all of them in one process,
so its /metrics has everything."""
import os
import shutil
import sys

from oslo_config import cfg

GROUP = 'metrics'
# prometheus_client's multiprocess mode is on when this names a directory.
ENV = 'PROMETHEUS_MULTIPROC_DIR'

opts = [
    cfg.BoolOpt('enabled', default=True,
                help='Serve Prometheus metrics at /metrics on the API\'s '
                     'address (with [api_settings] auth_strategy keystone, '
                     'to who passes the policy rule '
                     'os_load-balancer_api:metrics:get, admins by default).'),
    cfg.StrOpt('multiprocess_dir', default='',
               help='Directory where the API\'s gunicorn workers keep their '
                    'counters (prometheus_client multiprocess mode) when '
                    '[api_settings] api_workers is above 1; emptied when '
                    'octavia-aa-api starts. Empty: $state_path/metrics.'),
    cfg.HostAddressOpt('bind_host', default='127.0.0.1',
                       help='Address on which octavia-aa-worker and '
                            'octavia-aa-health-manager serve their own '
                            'metrics (worker_port, health_manager_port).'),
    cfg.PortOpt('worker_port', default=0,
                help='Port on which octavia-aa-worker serves its counters '
                     'and histograms (flows, failovers) at /metrics, '
                     'without authentication (keep it on a management '
                     'network). 0: not served. The all-in-one ignores it: '
                     'the API\'s /metrics has them.'),
    cfg.PortOpt('health_manager_port', default=0,
                help='Port on which octavia-aa-health-manager serves its '
                     'counters and histograms (heartbeat lag, failure '
                     'reports) at /metrics, without authentication. 0: not '
                     'served. The all-in-one ignores it.'),
    cfg.IntOpt('distributor_slots', default=4099, min=2,
               help='The distributor agents\' slot count M ([DEFAULT] '
                    'slots of the agent): the slots-per-amphora gauge '
                    'recomputes each table from the registrations with '
                    'the agent\'s algorithm.'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'enabled' not in conf[GROUP]:
        conf.register_opts(opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(opts))]


def prepare_multiprocess(conf=cfg.CONF):
    """For a server forking several API workers: an empty directory for
    their values, named in the environment before any metric exists
    (prometheus_client picks a metric's value class when it is created,
    so this runs before octavia_aa.common.metrics is imported)."""
    if 'octavia_aa.common.metrics' in sys.modules:
        raise RuntimeError('metrics were created before multiprocess mode')
    path = register_opts(conf).multiprocess_dir or os.path.join(
        conf.state_path, 'metrics')
    # Files of a previous run would be added to this one's counters.
    shutil.rmtree(path, ignore_errors=True)
    os.makedirs(path, mode=0o700)
    os.environ[ENV] = path
    if 'prometheus_client' in sys.modules:
        from prometheus_client import values
        values.ValueClass = values.get_value_class()
    return path


register_opts()
