"""/metrics under the keystone strategy: behind keystonemiddleware (no
token, 401) and the policy rule os_load-balancer_api:metrics:get
(a member gets 403, an admin the metrics), with the headers
keystonemiddleware hands the application, as tests/functional/api/
test_policy.py does; the route label keeps ids out of the series."""
import pecan
import pytest
import webtest

from octavia_aa.api import hooks
from octavia_aa.api import metrics
from tests.functional.api import helpers

A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'


@pytest.fixture
def app(database, overrides):
    overrides('auth_strategy', 'keystone', 'api_settings')
    return webtest.TestApp(metrics.route(pecan.make_app(
        'octavia_aa.api.root.RootController',
        hooks=[hooks.ContextHook(), hooks.ErrorHook()])))


def _as(roles):
    return {'X-Project-Id': A, 'X-Roles': roles,
            'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u'}


def test_metrics_need_a_token(database, overrides):
    full = helpers.keystone_app(overrides)
    full.get('/metrics', status=401)


def test_metrics_are_for_admins(app):
    resp = app.get('/metrics', headers=_as('member,reader'), status=403)
    assert resp.json['faultstring'].startswith('Policy does not allow')
    resp = app.get('/metrics', headers=_as('admin'))
    assert resp.content_type == 'text/plain'
    assert '# TYPE octavia_aa_amphorae gauge' in resp.text
    app.post('/metrics', headers=_as('admin'), status=405)
    # Everything else goes on to the application.
    assert app.get('/', headers=_as('member')).json['versions']


@pytest.mark.parametrize('path, code, label', [
    ('/v2/lbaas/loadbalancers', '200', '/v2/lbaas/loadbalancers'),
    ('/v2/lbaas/loadbalancers/0b1c2d3e-4f50-4a6b-8c7d-8e9fa0b1c2d3/stats',
     '200', '/v2/lbaas/loadbalancers/{id}/stats'),
    ('/v2/lbaas/quotas/0123456789abcdef0123456789abcdef', '200',
     '/v2/lbaas/quotas/{id}'),
    # Any path a client makes up is one label value.
    ('/made/up/%s' % ('x' * 60), '404', 'other'),
    ('/v2/lbaas/loadbalancers', '401', 'other'),
])
def test_route_label(path, code, label):
    assert metrics.route_label(path, code) == label


def test_metrics_can_be_switched_off(database, overrides):
    overrides('enabled', False, 'metrics')
    inner = pecan.make_app('octavia_aa.api.root.RootController')
    assert metrics.route(inner) is inner and metrics.timed(inner) is inner
