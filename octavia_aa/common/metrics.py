"""The process-local Prometheus metrics (counters and histograms) and
how they are exposed.

Every process that imports this module records into prometheus_client's
default registry; in the API's gunicorn workers that registry's values
live in files of [metrics] multiprocess_dir (set up by
metrics_opts.prepare_multiprocess before this module is imported), so a
scrape of any worker adds them all up.  See metrics_opts for why the
worker and the health manager serve their own port instead.
"""
import datetime
import logging
import os
import time

import prometheus_client
from prometheus_client import multiprocess

from octavia_aa.common import config
from octavia_aa.common import metrics_opts

CONF = config.CONF
LOG = logging.getLogger(__name__)
ENV = metrics_opts.ENV
CONTENT_TYPE = prometheus_client.CONTENT_TYPE_LATEST

# Failovers take seconds to minutes (a VM boot), API calls milliseconds.
_LONG = (0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800)
_LAG = (0.001, 0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30)

API_REQUEST = prometheus_client.Histogram(
    'octavia_aa_api_request_duration_seconds',
    'Time the API took to answer a request, by method, route (ids '
    'replaced by {id}) and status code.', ['method', 'route', 'code'])
FLOW_DURATION = prometheus_client.Histogram(
    'octavia_aa_flow_duration_seconds',
    'Time a controller flow ran, by flow and result (success, failure).',
    ['flow', 'result'], buckets=_LONG)
FLOW_FAILURES = prometheus_client.Counter(
    'octavia_aa_flow_failures',
    'Controller flows that failed (and reverted), by flow.', ['flow'])
FAILOVERS = prometheus_client.Counter(
    'octavia_aa_failovers',
    'Failovers the worker ran, by kind (amphora, distributor), load '
    'balancer (empty for a distributor) and result (success, failure); '
    'one per replaced machine.', ['kind', 'load_balancer_id', 'result'])
FAILOVER_PHASE = prometheus_client.Histogram(
    'octavia_aa_failover_phase_seconds',
    'Phases of a failover, by kind and phase: reported (the distributor '
    'moved the failed amphora\'s slots -> the controller marked it '
    'failed), replacement (the replacement flow, start -> the new '
    'machine in service), replaced (marked failed -> the new machine in '
    'service).', ['kind', 'phase'], buckets=_LONG)
HEARTBEAT_LAG = prometheus_client.Histogram(
    'octavia_aa_heartbeat_lag_seconds',
    'Time from an agent sending a heartbeat to the health manager '
    'recording it (the two clocks must agree), by sender kind.',
    ['kind'], buckets=_LAG)


def flow_name(factory):
    """'load_balancer.failover' for flows.load_balancer.failover."""
    return '%s.%s' % (factory.__module__.rsplit('.', 1)[-1],
                      factory.__name__)


def observe_failover(kind, lb_id, ok, started, failed_at=None):
    """One failover ended (ok: the replacement is in service); started:
    time.time() when its flow began, failed_at: when the controller
    marked the machine failed (a datetime in UTC, or None)."""
    now = time.time()
    FAILOVERS.labels(kind, lb_id or '', 'success' if ok else 'failure').inc()
    if not ok:
        return
    FAILOVER_PHASE.labels(kind, 'replacement').observe(now - started)
    if failed_at is not None:
        since = now - failed_at.replace(
            tzinfo=datetime.timezone.utc).timestamp()
        FAILOVER_PHASE.labels(kind, 'replaced').observe(max(0.0, since))


def process_dead(pid):
    """A gunicorn worker exited: its live gauges go (counters stay)."""
    if os.environ.get(ENV):
        multiprocess.mark_process_dead(pid)


def exposition():
    """This process's (or, in multiprocess mode, all workers') metrics
    in Prometheus' text format."""
    path = os.environ.get(ENV)
    if not path:
        return prometheus_client.generate_latest()
    registry = prometheus_client.CollectorRegistry()
    multiprocess.MultiProcessCollector(registry, path=path)
    return prometheus_client.generate_latest(registry)


def serve(option):
    """Serve this process's metrics on [metrics] `option` (a port; 0:
    not served).  Returns the server or None."""
    opts = metrics_opts.register_opts()
    port = getattr(opts, option)
    if not port:
        return None
    server, _thread = prometheus_client.start_http_server(
        port, addr=opts.bind_host)
    LOG.info('Metrics on http://%s:%d/metrics', opts.bind_host, port)
    return server
