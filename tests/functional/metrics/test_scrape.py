"""Scrape /metrics of a running octavia-aa-all (noop data plane) after
creating an ACTIVE_ACTIVE load balancer and failing one of its amphorae
over: the cluster gauges match the cluster the API shows, the failover
and flow counters went up, the API's own latency is there; and the
Grafana dashboard in etc/ asks only for metrics the endpoint exports."""
import json
import pathlib
import re
import time
import uuid

from prometheus_client import parser
import pytest
import requests

from tests import service

PREFIX = 'metrics-' + uuid.uuid4().hex[:6]
DASHBOARD = (pathlib.Path(__file__).parents[3] / 'etc' / 'grafana' /
             'octavia-aa-cluster.json')
LB = '/v2/lbaas/loadbalancers'


class Api:
    def __init__(self, url):
        self.url = url

    def call(self, method, path, body=None, status=None):
        resp = requests.request(method, self.url + path, json=body,
                                timeout=30)
        if status is not None:
            assert resp.status_code == status, resp.text
        return resp

    def get(self, path):
        return self.call('GET', path, status=200).json()

    def post(self, path, key, body):
        return self.call('POST', path, {key: body}, status=201).json()[key]

    def wait_active(self, lb_id, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            lb = self.get('%s/%s' % (LB, lb_id))['loadbalancer']
            if lb['provisioning_status'] == 'ACTIVE':
                return lb
            assert lb['provisioning_status'] != 'ERROR', lb
            assert time.monotonic() < deadline, lb
            time.sleep(0.1)

    def scrape(self, until=None, timeout=10):
        """The metrics; with `until` (a function of the scrape), the first
        scrape for which it is true: the flow's last task makes the load
        balancer ACTIVE a moment before the worker counts the flow."""
        deadline = time.monotonic() + timeout
        while True:
            resp = self.call('GET', '/metrics', status=200)
            assert resp.headers['Content-Type'].startswith('text/plain')
            got = Scrape(resp.text)
            if until is None or until(got) or time.monotonic() > deadline:
                return got
            time.sleep(0.1)


class Scrape:
    def __init__(self, text):
        self.families = list(parser.text_string_to_metric_families(text))

    def value(self, name, **labels):
        """The sample's value (0 when no sample matches)."""
        found = [s.value for f in self.families for s in f.samples
                 if s.name == name and all(
                     s.labels.get(k) == v for k, v in labels.items())]
        assert len(found) <= 1, (name, labels, found)
        return found[0] if found else 0

    def names(self):
        """Every series name the endpoint exports, samples or not."""
        suffixes = {'counter': ['_total', '_created'],
                    'histogram': ['_bucket', '_count', '_sum', '_created'],
                    'gauge': []}
        return {f.name + s for f in self.families
                for s in [''] + suffixes.get(f.type, [])} | {
            s.name for f in self.families for s in f.samples}


@pytest.fixture(scope='module')
def api(tmp_path_factory):
    with service.run_all(tmp_path_factory.mktemp('metrics')) as url:
        yield Api(url)


@pytest.fixture(scope='module')
def lb(api):
    profile = api.post('/v2/lbaas/flavorprofiles', 'flavorprofile', {
        'name': PREFIX, 'provider_name': 'amphora',
        'flavor_data': json.dumps({
            'loadbalancer_topology': 'ACTIVE_ACTIVE',
            'cluster_desired_size': 3, 'cluster_min_size': 2,
            'cluster_cooldown': 0})})
    flavor = api.post('/v2/lbaas/flavors', 'flavor', {
        'name': PREFIX, 'flavor_profile_id': profile['id']})
    lb = api.post(LB, 'loadbalancer', {
        'name': PREFIX, 'vip_subnet_id': 'public-subnet',
        'flavor_id': flavor['id']})
    return api.wait_active(lb['id'])


def _cluster(api, lb):
    (cluster,) = api.get('/v2/octavia/clusters?loadbalancer_id=' +
                         lb['id'])['clusters']
    return cluster


def test_scrape_after_create_and_failover(api, lb):
    cluster = _cluster(api, lb)
    ids = {'cluster_id': cluster['id'], 'load_balancer_id': lb['id']}
    before = api.scrape(until=lambda m: m.value(
        'octavia_aa_flow_duration_seconds_count',
        flow='load_balancer.create', result='success'))
    assert before.value('octavia_aa_cluster_desired_size', **ids) == 3
    assert before.value('octavia_aa_cluster_min_size', **ids) == 2
    assert before.value('octavia_aa_cluster_active_amphorae', **ids) == 3
    assert before.value('octavia_aa_cluster_standby_amphorae', **ids) == 1
    assert before.value('octavia_aa_cluster_operating_status', status=
                        cluster['operating_status'], **ids) == 1
    assert sum(before.value('octavia_aa_cluster_operating_status',
                            status=s, **ids)
               for s in ('ONLINE', 'DEGRADED', 'ERROR', 'OFFLINE',
                         'NO_MONITOR', 'DOWN')) == 1
    assert before.value('octavia_aa_cluster_provisioning_status',
                        status='ACTIVE', **ids) == 1
    assert before.value('octavia_aa_amphorae', status='ALLOCATED') == 4
    assert before.value('octavia_aa_flow_duration_seconds_count',
                        flow='load_balancer.create', result='success') == 1
    assert before.value('octavia_aa_api_request_duration_seconds_count',
                        method='POST', route=LB, code='201') == 1
    # The three serving amphorae share the table, the standby has none.
    amps = api.get('/v2/octavia/amphorae?loadbalancer_id=' +
                   lb['id'])['amphorae']
    slots = {a['id']: before.value('octavia_aa_amphora_slots',
                                   amphora_id=a['id']) for a in amps}
    standby = next(a['id'] for a in amps
                   if a['role'] == 'IN_CLUSTER_STANDBY')
    assert slots.pop(standby) == 0
    assert sum(slots.values()) == 4099
    assert min(slots.values()) > 4099 // 3 - 100

    victim = next(a for a in amps if a['role'] == 'IN_CLUSTER')
    api.call('PUT', '/v2/octavia/amphorae/%s/failover' % victim['id'],
             status=202)
    api.wait_active(lb['id'])
    success = {'kind': 'amphora', 'result': 'success',
               'load_balancer_id': lb['id']}
    after = api.scrape(until=lambda m: m.value(
        'octavia_aa_failovers_total', **success))
    assert after.value('octavia_aa_failovers_total', **success) == \
        before.value('octavia_aa_failovers_total', **success) + 1
    assert after.value('octavia_aa_failover_phase_seconds_count',
                       kind='amphora', phase='replacement') == \
        before.value('octavia_aa_failover_phase_seconds_count',
                     kind='amphora', phase='replacement') + 1
    assert after.value('octavia_aa_flow_duration_seconds_count',
                       flow='load_balancer.failover', result='success') \
        == 1
    assert after.value('octavia_aa_flow_failures_total',
                       flow='load_balancer.failover') == 0
    # The replacement took the failed one's place: the cluster is whole.
    assert after.value('octavia_aa_cluster_active_amphorae', **ids) + \
        after.value('octavia_aa_cluster_standby_amphorae', **ids) == 4
    assert after.value('octavia_aa_amphora_slots',
                       amphora_id=victim['id']) == 0
    assert after.value('octavia_aa_api_request_duration_seconds_count',
                       method='PUT',
                       route='/v2/octavia/amphorae/{id}/failover',
                       code='202') == 1


def test_dashboard_names_only_exported_metrics(api, lb):
    dashboard = json.loads(DASHBOARD.read_text())
    exprs = [t['expr'] for p in dashboard['panels']
             for t in p.get('targets', [])] + [
        v['definition'] for v in dashboard['templating']['list']
        if v['type'] == 'query']
    assert len(exprs) >= 6
    named = {n for e in exprs for n in re.findall(r'octavia_aa_\w+', e)}
    missing = named - api.scrape().names()
    assert not missing, missing
    # A cluster's health and its failovers, at a glance.
    assert {'octavia_aa_cluster_active_amphorae',
            'octavia_aa_cluster_desired_size',
            'octavia_aa_failovers_total'} <= named
    # Every panel's query is limited to the chosen cluster or global.
    assert any(v['name'] == 'load_balancer_id'
               for v in dashboard['templating']['list'])
