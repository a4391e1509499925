"""GET /metrics (Prometheus' text format) and the API's request timing.

Two WSGI wrappers, so the application itself does not change: route()
sits under the authentication middleware (with keystone a token is
needed, and the policy rule os_load-balancer_api:metrics:get decides,
admins by default) and answers /metrics; timed() sits outermost and
times every request.  The database-derived gauges are computed here at
scrape time (queries in db/queries/metrics.py), so every API process
gives the same values and nothing has to push them."""
import datetime
import re
import time

import prometheus_client
from prometheus_client import core
from prometheus_client import exposition

from octavia_aa.api import hooks
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import context
from octavia_aa.common import exceptions
from octavia_aa.common import metrics
from octavia_aa.common import metrics_opts
from octavia_aa.common import policy
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import metrics as metrics_q

CONF = config.CONF
PATH = '/metrics'
# A path segment that is an object id (UUID, with or without dashes).
_ID = re.compile(r'^[0-9a-fA-F]{8}-?([0-9a-fA-F]{4}-?){3}[0-9a-fA-F]{12}$')
# Whoever gets these may send any path: one label value for all of them,
# so a client cannot make the series grow without bound.
_ANY_PATH_CODES = ('401', '404')
_MAX_SEGMENTS = 6


def enabled():
    return metrics_opts.register_opts().enabled


def route_label(path, code):
    if code in _ANY_PATH_CODES:
        return 'other'
    parts = ['{id}' if _ID.match(p) else p[:40]
             for p in path.split('/')[1:_MAX_SEGMENTS + 1]]
    return '/' + '/'.join(parts)


def timed(app):
    """WSGI middleware: every request's duration, by method, route and
    status, in octavia_aa_api_request_duration_seconds."""
    if not enabled():
        return app

    def wrapper(environ, start_response):
        start = time.monotonic()
        seen = {}

        def capture(status, headers, exc_info=None):
            seen['code'] = status.split(' ', 1)[0]
            return start_response(status, headers, exc_info)
        try:
            return app(environ, capture)
        finally:
            # The body of our answers is produced before they return.
            code = seen.get('code', '500')
            method = environ.get('REQUEST_METHOD', '')
            if method not in ('GET', 'HEAD', 'POST', 'PUT', 'DELETE',
                              'PATCH', 'OPTIONS'):
                method = 'other'
            metrics.API_REQUEST.labels(
                method, route_label(environ.get('PATH_INFO', '/'), code),
                code).observe(time.monotonic() - start)
    return wrapper


def route(app):
    """WSGI middleware answering GET /metrics, passing on the rest."""
    if not enabled():
        return app

    def wrapper(environ, start_response):
        if environ.get('PATH_INFO') != PATH:
            return app(environ, start_response)
        if environ.get('REQUEST_METHOD') not in ('GET', 'HEAD'):
            resp = hooks.fault_response(
                405, 'Method %s is not allowed here.'
                % environ.get('REQUEST_METHOD'))
            resp.headers['Allow'] = 'GET, HEAD'
            return resp(environ, start_response)
        try:
            ctx = context.RequestContext.from_request(environ)
            policy.authorize(ctx, 'metrics', 'get')
        except exceptions.OctaviaAAError as exc:
            return hooks.fault_response(exc.code, exc.message)(
                environ, start_response)
        body = metrics.exposition() + exposition.generate_latest(
            _DB_REGISTRY)
        start_response('200 OK', [('Content-Type', metrics.CONTENT_TYPE),
                                  ('Content-Length', str(len(body)))])
        return [b''] if environ['REQUEST_METHOD'] == 'HEAD' else [body]
    return wrapper


def _enum(name, doc, labels):
    return core.GaugeMetricFamily(name, doc, labels=labels + ['status'])


class DatabaseCollector:
    """The gauges read from the database at each scrape."""

    def collect(self):
        now = datetime.datetime.now(datetime.timezone.utc).replace(
            tzinfo=None)
        with db_api.session_scope() as session:
            clusters = metrics_q.clusters(session)
            amphorae = metrics_q.by_status(session, models.Amphora)
            distributors = metrics_q.by_status(session, models.Distributor)
            registrations = metrics_q.registrations(session)
            ages = metrics_q.heartbeat_ages(session, now)
        yield from _cluster_families(clusters)
        for name, what, counts, statuses in (
                ('octavia_aa_amphorae', 'Amphorae', amphorae,
                 c.AMPHORA_STATUSES),
                ('octavia_aa_distributors', 'Distributors', distributors,
                 c.AMPHORA_STATUSES)):
            family = core.GaugeMetricFamily(
                name, '%s by status (DELETED left out).' % what,
                labels=['status'])
            for status in statuses:
                if status != c.DELETED:
                    family.add_metric([status], counts.get(status, 0))
            yield family
        yield _slot_family(registrations)
        family = core.GaugeMetricFamily(
            'octavia_aa_heartbeat_age_seconds',
            'Seconds since the last heartbeat the health manager recorded '
            'of an ALLOCATED amphora or an ACTIVE distributor.',
            labels=['kind', 'id', 'load_balancer_id'])
        for kind, obj_id, lb_id, age in ages:
            family.add_metric([kind, obj_id, lb_id or ''], max(0.0, age))
        yield family


_CLUSTER_LABELS = ['cluster_id', 'load_balancer_id']


def _cluster_families(clusters):
    gauges = {
        'desired_size': 'Amphorae the cluster should have serving.',
        'min_size': 'Fewest serving amphorae before the cluster is DOWN.',
        'standby_count': 'Standby amphorae the cluster should have.',
        'active_amphorae': 'ALLOCATED serving (IN_CLUSTER) amphorae.',
        'standby_amphorae': 'ALLOCATED standby amphorae.'}
    families = {key: core.GaugeMetricFamily(
        'octavia_aa_cluster_' + key, doc, labels=_CLUSTER_LABELS)
        for key, doc in gauges.items()}
    operating = _enum('octavia_aa_cluster_operating_status',
                      'The cluster\'s operating status (1 for the current '
                      'one, 0 for the others).', _CLUSTER_LABELS)
    provisioning = _enum('octavia_aa_cluster_provisioning_status',
                         'The cluster\'s provisioning status (1 for the '
                         'current one, 0 for the others).', _CLUSTER_LABELS)
    for cluster, active, standby in clusters:
        labels = [cluster.id, cluster.load_balancer_id]
        values = {'desired_size': cluster.desired_size,
                  'min_size': cluster.min_size,
                  'standby_count': cluster.standby_count,
                  'active_amphorae': active, 'standby_amphorae': standby}
        for key, value in values.items():
            families[key].add_metric(labels, value)
        for family, current, statuses in (
                (operating, cluster.operating_status,
                 c.CLUSTER_OPERATING_STATUSES),
                (provisioning, cluster.provisioning_status,
                 c.PROVISIONING_STATUSES)):
            for status in statuses:
                family.add_metric(labels + [status],
                                  1 if status == current else 0)
    return list(families.values()) + [operating, provisioning]


def _slot_family(registrations):
    """Slots per registered amphora, each table recomputed from the
    registrations with the distributor agent's own algorithm (a standby
    owns none until it takes over; a failed amphora's slots are counted
    where the agent moves them)."""
    from distributor_agent import slots
    family = core.GaugeMetricFamily(
        'octavia_aa_amphora_slots',
        'Slots of its distributor\'s table an amphora owns.',
        labels=['distributor_id', 'load_balancer_id', 'amphora_id'])
    tables = {}
    for dist_id, lb_id, amp_id, position, role, status in registrations:
        tables.setdefault((dist_id, lb_id), []).append(
            (position, amp_id, role, status))
    m = metrics_opts.register_opts().distributor_slots
    for (dist_id, lb_id), entries in sorted(tables.items()):
        active = {p for p, _, role, _ in entries
                  if role != c.ROLE_IN_CLUSTER_STANDBY}
        down = {p for p, _, role, status in entries
                if p in active and status != c.ALLOCATED}
        standby = {p for p, _, role, status in entries
                   if p not in active and status == c.ALLOCATED}
        owned = slots.shares(slots.compute(m, active, down, standby))
        for position, amp_id, _, _ in sorted(entries):
            family.add_metric([dist_id, lb_id, amp_id],
                              owned.get(position, 0))
    return family


_DB_REGISTRY = prometheus_client.CollectorRegistry(auto_describe=False)
_DB_REGISTRY.register(DatabaseCollector())
