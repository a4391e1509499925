"""Project isolation and roles under the keystone strategy, quickly:
the X-Project-Id and X-Roles headers keystonemiddleware would hand the
application are sent to the application behind it.  tests/rbac checks
the same with real tokens from a real Keystone, for every resource. One
test checks the middleware itself is in place (no token, 401)."""
from oslo_policy import opts as policy_opts
import pecan
import pytest
import webtest

from octavia_aa.api import hooks
from octavia_aa.common import config
from octavia_aa.common import policy
from tests.functional.api import helpers

LB = helpers.LB
A = 'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa'
B = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb'


@pytest.fixture
def app(database, overrides):
    overrides('auth_strategy', 'keystone', 'api_settings')
    return webtest.TestApp(pecan.make_app(
        'octavia_aa.api.root.RootController',
        hooks=[hooks.ContextHook(), hooks.ErrorHook()]))


def _as(project, roles):
    return {'X-Project-Id': project, 'X-Roles': roles,
            'X-Identity-Status': 'Confirmed', 'X-User-Id': 'u-' + project}


def _create(app, project):
    return app.post_json(LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'name': 'of-' + project}},
        headers=_as(project, 'member')).json['loadbalancer']


def test_member_sees_and_touches_only_its_project(app):
    lb_a = _create(app, A)
    lb_b = _create(app, B)
    assert lb_a['project_id'] == A
    listed = app.get(LB, headers=_as(A, 'member')).json['loadbalancers']
    assert [lb['id'] for lb in listed] == [lb_a['id']]
    # Asking for B's objects by filter is refused, as upstream.
    app.get(LB + '?project_id=' + B, headers=_as(A, 'member'), status=403)
    app.get('%s/%s' % (LB, lb_b['id']), headers=_as(A, 'member'),
            status=403)
    app.put_json('%s/%s' % (LB, lb_b['id']),
                 {'loadbalancer': {'name': 'stolen'}},
                 headers=_as(A, 'member'), status=403)
    app.delete('%s/%s' % (LB, lb_b['id']), headers=_as(A, 'member'),
               status=403)
    app.post_json('/v2/lbaas/listeners', {'listener': {
        'loadbalancer_id': lb_b['id'], 'protocol': 'HTTP',
        'protocol_port': 80}}, headers=_as(A, 'member'), status=403)
    # A cannot create in B's name either.
    app.post_json(LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet', 'project_id': B}},
        headers=_as(A, 'member'), status=403)
    shown = app.get('%s/%s' % (LB, lb_b['id']),
                    headers=_as(B, 'member')).json['loadbalancer']
    assert shown['name'] == 'of-' + B


def test_reader_reads_but_cannot_write(app):
    lb_a = _create(app, A)
    app.get('%s/%s' % (LB, lb_a['id']), headers=_as(A, 'reader'))
    app.post_json(LB, {'loadbalancer': {'vip_subnet_id': 'public-subnet'}},
                  headers=_as(A, 'reader'), status=403)


@pytest.mark.filterwarnings('ignore:Policy .* was deprecated:UserWarning')
def test_global_observer_and_admin(app, overrides):
    _create(app, A)
    _create(app, B)
    observer = _as('cccccccccccccccccccccccccccccccc',
                   'load-balancer_global_observer')
    # Octavia's own roles are deprecated defaults, as upstream: refused
    # unless the operator asks for the old defaults.
    app.get(LB, headers=observer, status=403)
    policy_opts.set_defaults(config.CONF)
    overrides('enforce_new_defaults', False, 'oslo_policy')
    policy.reset()
    everyone = app.get(LB, headers=observer).json['loadbalancers']
    assert {lb['project_id'] for lb in everyone} == {A, B}
    app.get('/v2/octavia/amphorae', headers=_as(A, 'member'), status=403)
    app.get('/v2/octavia/amphorae', headers=_as(A, 'admin'))
    app.get('/v2/lbaas/flavorprofiles', headers=_as(A, 'member'),
            status=403)
    app.get('/v2/lbaas/flavors', headers=_as(A, 'member'))


def test_keystone_middleware_rejects_requests_without_token(
        database, overrides):
    full = helpers.keystone_app(overrides)
    assert full.get(LB, status=401)
    # Version discovery stays public, as upstream.
    assert full.get('/').json['versions']


def test_noauth_fills_the_default_project(api):
    lb = helpers.post(api, LB, 'loadbalancer', {
        'vip_subnet_id': 'public-subnet'})['loadbalancer']
    assert lb['project_id'] == '00000000000000000000000000000001'
    lb = api.post_json(LB, {'loadbalancer': {
        'vip_subnet_id': 'public-subnet'}},
        headers={'X-Project-Id': A}).json['loadbalancer']
    assert lb['project_id'] == A
