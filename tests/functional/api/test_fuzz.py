"""Schema-driven fuzzing: schemathesis generates requests from the API's
own OpenAPI document (valid and invalid ones) and sends them to a real
octavia-aa-all (noop data plane) on SQLite, MariaDB and PostgreSQL.

Asserted: no request gets a 5xx; afterwards no object stays in
PENDING_* (with noop drivers everything walks to ACTIVE, DELETED or
ERROR) and every list endpoint still answers 200.

Reproducible: hypothesis runs derandomized from OCTAVIA_AA_FUZZ_SEED
(printed), OCTAVIA_AA_FUZZ_REQUESTS requests per backend (default 2000).
A failing request is printed as a curl command.
"""
import collections
import json
import os
import time

import hypothesis
from hypothesis import strategies as st
import pytest
import requests
import schemathesis
from schemathesis.specs.openapi import checks

from octavia_aa.api import openapi
from tests import service
from tests.functional import dbservers

SEED = int(os.environ.get('OCTAVIA_AA_FUZZ_SEED', '20261204'))
REQUESTS = int(os.environ.get('OCTAVIA_AA_FUZZ_REQUESTS', '2000'))
PENDING = ('PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE')

pytestmark = pytest.mark.slow


@pytest.fixture(params=['sqlite', 'mariadb', 'postgresql'])
def live(request, tmp_path):
    """octavia-aa-all on a new database of the backend."""
    if request.param == 'sqlite':
        with service.run_all(tmp_path) as url:
            yield url
        return
    with dbservers.database(request.param) as db_url:
        with service.run_all(tmp_path, '[database]\nconnection = %s\n'
                             % db_url) as url:
            yield url


class Api:
    def __init__(self, url):
        self.url = url
        self.session = requests.Session()

    def call(self, method, path, body=None, status=None):
        resp = self.session.request(method, self.url + path, json=body,
                                    timeout=60)
        if status is not None:
            assert resp.status_code == status, (path, resp.text[:500])
        return resp.json() if resp.content else None

    def wait(self, path, key, timeout=60):
        deadline = time.monotonic() + timeout
        while True:
            obj = self.call('GET', path, status=200)[key]
            if obj['provisioning_status'] not in PENDING:
                return obj
            assert time.monotonic() < deadline, obj
            time.sleep(0.1)


def _seed_objects(api):
    """One object of each kind, so generated requests reach real rows:
    returns {name of a path or body id: [ids]}."""
    lb_path = '/v2/lbaas/loadbalancers'
    lb = api.call('POST', lb_path, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet'}}, 201)['loadbalancer']
    api.wait('%s/%s' % (lb_path, lb['id']), 'loadbalancer')

    def make(path, key, body):
        obj = api.call('POST', path, {key: body}, 201)[key]
        api.wait('%s/%s' % (lb_path, lb['id']), 'loadbalancer')
        return obj['id']

    listener = make('/v2/lbaas/listeners', 'listener', {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'protocol_port': 80})
    pool = make('/v2/lbaas/pools', 'pool', {
        'listener_id': listener, 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN'})
    member = make('/v2/lbaas/pools/%s/members' % pool, 'member', {
        'address': '192.0.2.10', 'protocol_port': 8080})
    hm = make('/v2/lbaas/healthmonitors', 'healthmonitor', {
        'pool_id': pool, 'type': 'HTTP', 'delay': 5, 'timeout': 3,
        'max_retries': 3})
    policy = make('/v2/lbaas/l7policies', 'l7policy', {
        'listener_id': listener, 'action': 'REJECT'})
    rule = make('/v2/lbaas/l7policies/%s/rules' % policy, 'rule', {
        'type': 'PATH', 'compare_type': 'STARTS_WITH', 'value': '/a'})
    profile = api.call('POST', '/v2/lbaas/flavorprofiles', {
        'flavorprofile': {'name': 'fp', 'provider_name': 'amphora',
                          'flavor_data': '{"loadbalancer_topology": '
                                         '"SINGLE"}'}},
        201)['flavorprofile']['id']
    flavor = api.call('POST', '/v2/lbaas/flavors', {'flavor': {
        'name': 'single', 'flavor_profile_id': profile}}, 201)['flavor']['id']
    amps = [a['id'] for a in api.call(
        'GET', '/v2/octavia/amphorae', status=200)['amphorae']]
    clusters = [c['id'] for c in api.call(
        'GET', '/v2/octavia/clusters', status=200)['clusters']]
    dists = [d['id'] for d in api.call(
        'GET', '/v2/octavia/distributors', status=200)['distributors']]
    project = api.call('GET', lb_path + '/' + lb['id'],
                       status=200)['loadbalancer']['project_id']
    return {
        'loadbalancer_id': [lb['id']], 'listener_id': [listener],
        'pool_id': [pool], 'default_pool_id': [pool],
        'redirect_pool_id': [pool], 'member_id': [member],
        'healthmonitor_id': [hm], 'l7policy_id': [policy],
        'l7rule_id': [rule], 'flavorprofile_id': [profile],
        'flavor_profile_id': [profile], 'flavor_id': [flavor],
        'amphora_id': amps, 'cluster_id': clusters,
        'distributor_id': dists, 'peer_id': dists,
        'project_id': [project], 'provider': ['amphora'],
        'vip_subnet_id': ['public-subnet', 'private-subnet'],
        'subnet_id': ['public-subnet'], 'provider_name': ['amphora'],
        'flavor_data': ['{}', '{"loadbalancer_topology": "SINGLE"}',
                        '{"cluster_desired_size": 2}'],
    }


def _known(data, known, values):
    """Replace, most of the time, generated ids by existing ones."""
    if not isinstance(values, dict):
        return
    for key in list(values):
        if known.get(key) and data.draw(st.integers(0, 4), key) > 0:
            values[key] = data.draw(st.sampled_from(known[key]), key)


# Where the id of a created object is used again (path and body names).
_ID_NAMES = {
    'loadbalancer': ['loadbalancer_id'], 'listener': ['listener_id'],
    'pool': ['pool_id', 'default_pool_id', 'redirect_pool_id'],
    'member': ['member_id'], 'healthmonitor': ['healthmonitor_id'],
    'l7policy': ['l7policy_id'], 'rule': ['l7rule_id'],
    'flavor': ['flavor_id'],
    'flavorprofile': ['flavorprofile_id', 'flavor_profile_id'],
    'distributor': ['distributor_id', 'peer_id'],
}


def _remember(known, resp):
    """Ids of what a request created, for the requests after it."""
    try:
        ((key, obj),) = resp.json().items()
    except (ValueError, AttributeError):
        return
    for name in _ID_NAMES.get(key, ()):
        if isinstance(obj, dict) and obj.get('id'):
            known.setdefault(name, []).append(obj['id'])


def _untrue(case, resp):
    """What in the answer the document does not say: an undocumented
    status or content type, a body not of its schema, an error that is
    not Octavia's JSON fault, a JSON body that is not strict JSON."""
    if resp.content:
        try:
            body = json.loads(resp.text, parse_constant=_not_json)
        except ValueError as e:
            return 'not JSON: %s' % e
        if resp.status_code >= 400 and not (
                isinstance(body, dict) and body.get('faultstring')):
            return 'not a fault'
    try:
        case.validate_response(resp, checks=[
            checks.status_code_conformance,
            checks.content_type_conformance,
            checks.response_schema_conformance])
    except (Exception, BaseExceptionGroup) as e:  # reported, not raised
        return str(e)[:600]
    return None


def _not_json(name):
    raise ValueError('%s is not JSON' % name)


def _curl(case, url):
    try:
        return case.as_curl_command(base_url=url)
    except Exception:  # only for the report
        return '%s %s %r' % (case.method, case.formatted_path, case.body)


def _operations():
    schema = schemathesis.openapi.from_dict(
        json.loads(json.dumps(openapi.document())))
    ops = [result.ok() for result in schema.get_all_operations()]
    # Deletes last, so that the rest runs against the seeded objects.
    return sorted(ops, key=lambda op: (op.method.upper() == 'DELETE',
                                       op.path, op.method))


def _run(op, url, session, known, examples, seed, counts, failures):
    # Two valid requests for one invalid: the valid ones reach deeper.
    modes = st.sampled_from([schemathesis.GenerationMode.POSITIVE] * 2 +
                            [schemathesis.GenerationMode.NEGATIVE])

    @hypothesis.seed(seed)
    @hypothesis.settings(
        max_examples=examples, database=None, deadline=None,
        derandomize=False, phases=[hypothesis.Phase.generate],
        suppress_health_check=list(hypothesis.HealthCheck))
    @hypothesis.given(data=st.data())
    def run(data):
        case = data.draw(modes.flatmap(op.as_strategy), 'case')
        _known(data, known, case.path_parameters)
        if isinstance(case.body, dict):
            for value in case.body.values():
                _known(data, known, value)
        try:
            resp = case.call(base_url=url, session=session, timeout=60)
        except requests.RequestException as e:
            failures.append('%s -> %s' % (_curl(case, url), e))
            return
        counts[resp.status_code] += 1
        if os.environ.get('OCTAVIA_AA_FUZZ_DEBUG'):
            print('FUZZ', case.method, case.path, resp.status_code,
                  resp.text[:160])
        if resp.status_code == 201:
            _remember(known, resp)
        if resp.status_code >= 500:
            failures.append('%s -> %d %s' % (_curl(case, url),
                                             resp.status_code,
                                             resp.text[:300]))
            return
        wrong = _untrue(case, resp)
        if wrong:
            failures.append('%s -> %d %s: %s' % (
                _curl(case, url), resp.status_code, resp.text[:200], wrong))
    run()


def _settled(api, timeout=120):
    """Every list answers 200 and nothing stays PENDING_*; returns the
    lists' sizes."""
    lists = [path for path, ops in openapi.document()['paths'].items()
             if 'get' in ops and '{' not in path and path not in (
                 '/', openapi.PATH)]
    deadline = time.monotonic() + timeout
    while True:
        pending, sizes = [], {}
        nested = [
            '/v2/lbaas/pools/%s/members' % p['id'] for p in api.call(
                'GET', '/v2/lbaas/pools', status=200)['pools']] + [
            '/v2/lbaas/l7policies/%s/rules' % p['id'] for p in api.call(
                'GET', '/v2/lbaas/l7policies', status=200)['l7policies']]
        for path in lists + nested:
            resp = api.session.get(api.url + path, timeout=60)
            if resp.status_code == 404 and path in nested:
                # Its parent went while we looked: look again.
                pending.append(path)
                continue
            assert resp.status_code == 200, (path, resp.text[:300])
            for key, items in resp.json().items():
                if not isinstance(items, list) or key.endswith('_links'):
                    continue
                if path in lists:
                    sizes[path] = len(items)
                pending += ['%s %s %s' % (path, o.get('id'), o.get(
                    'provisioning_status') or o.get('status'))
                            for o in items if isinstance(o, dict) and (
                    o.get('provisioning_status') in PENDING or
                    o.get('status') in PENDING)]
        if not pending:
            return sizes
        assert time.monotonic() < deadline, 'still pending: %s' % pending
        time.sleep(0.5)


def test_no_5xx_for_generated_requests(live):
    api = Api(live)
    known = _seed_objects(api)
    ops = _operations()
    counts, failures = collections.Counter(), []
    started = time.monotonic()
    print('\nfuzz seed %d, %d requests over %d operations'
          % (SEED, REQUESTS, len(ops)))
    # Operations with few distinct inputs give fewer examples than asked:
    # further rounds (new seeds) make up the total.
    round_ = 0
    while sum(counts.values()) < REQUESTS and round_ < 5:
        left = REQUESTS - sum(counts.values())
        per_op = max(1, -(-left // len(ops)))
        for op in ops:
            _run(op, live, api.session, known, per_op, SEED + round_,
                 counts, failures)
        round_ += 1
    elapsed = time.monotonic() - started
    sizes = _settled(api)
    total = sum(counts.values())
    print('fuzz: %d requests in %.1f s (%d rounds), statuses %s, lists %s'
          % (total, elapsed, round_, dict(sorted(counts.items())), sizes))
    assert not failures, '%d requests got a 5xx:\n%s' % (
        len(failures), '\n'.join(failures[:20]))
    assert total >= REQUESTS
