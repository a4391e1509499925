"""A real Keystone (tests/keystone_server.py) for these tests, its
projects and users, and the octavia-aa WSGI app with
auth_strategy = keystone validating their tokens through
keystonemiddleware.

Each user is a webtest client sending its own project-scoped token in
X-Auth-Token; every client talks to the same app.
"""
import warnings

from keystoneauth1 import loading
from keystonemiddleware import auth_token
from oslo_policy import opts as policy_opts
import pytest
import webtest

from octavia_aa.common import config
from octavia_aa.common import policy
from tests import keystone_server

CONF = config.CONF
PASSWORD = 'oaa-rbac-password'

# user: (project, roles).  Keystone's bootstrap makes admin imply member
# and member imply reader, as a real cloud has it.
USERS = {
    'a_member': ('A', ['member']),
    'a_reader': ('A', ['reader']),
    'b_member': ('B', ['member']),
    'b_reader': ('B', ['reader']),
    # Octavia's own (deprecated) roles, honoured with
    # [oslo_policy] enforce_new_defaults = False.
    'a_lb_member': ('A', ['load-balancer_member']),
    'a_lb_observer': ('A', ['load-balancer_observer']),
    'b_lb_member': ('B', ['load-balancer_member']),
    'global_observer': ('C', ['load-balancer_global_observer']),
    'lb_admin': ('C', ['load-balancer_admin']),
    'quota_admin': ('C', ['load-balancer_quota_admin']),
    # The service user keystonemiddleware validates tokens with.
    'octavia': ('service', ['service']),
}


class Cloud:
    def __init__(self, keystone):
        self.keystone = keystone
        self.projects = {}
        self.tokens = {}

    def add(self, user, project, roles):
        if project not in self.projects:
            self.projects[project] = self.keystone.project('oaa-' + project)
        self.keystone.user(user, PASSWORD, self.projects[project], roles)
        self.tokens[user] = self.keystone.token(user, PASSWORD,
                                                'oaa-' + project)[0]


# Package scope: started once for tests/rbac, stopped when they are done.
@pytest.fixture(scope='package')
def keystone_cloud():
    """Keystone with projects A, B, C and the USERS; fails (never skips)
    when MariaDB is down or Keystone cannot be installed."""
    with keystone_server.running() as keystone:
        cloud = Cloud(keystone)
        for user, (project, roles) in USERS.items():
            cloud.add(user, project, roles)
        admin = keystone.admin_session()
        cloud.tokens['admin'] = admin.get_token()
        cloud.projects['admin'] = admin.get_project_id()
        # bootstrap also gives the admin the admin role on the system.
        cloud.tokens['admin_system'] = keystone.session(
            'admin', keystone.admin_password).get_token()
        yield cloud


def _register_auth_token_opts():
    for group, opts in auth_token.list_opts():
        CONF.register_opts(opts, group=group)
    loading.register_auth_conf_options(CONF, 'keystone_authtoken')
    CONF.register_opts(loading.get_auth_plugin_conf_options('password'),
                       group='keystone_authtoken')
    policy_opts.set_defaults(CONF)


@pytest.fixture
def keystone_app(keystone_cloud, database, overrides):
    """The full octavia-aa WSGI app (keystonemiddleware in front)."""
    from octavia_aa.api import app
    _register_auth_token_opts()
    url = keystone_cloud.keystone.url
    overrides('auth_strategy', 'keystone', 'api_settings')
    for name, value in (('www_authenticate_uri', url), ('auth_url', url),
                        ('auth_type', 'password'), ('username', 'octavia'),
                        ('password', PASSWORD),
                        ('project_name', 'oaa-service'),
                        ('user_domain_name', 'Default'),
                        ('project_domain_name', 'Default')):
        overrides(name, value, 'keystone_authtoken')
    return app.setup_app()


@pytest.fixture
def legacy_roles(overrides):
    """Octavia's load-balancer_* roles, as upstream honours them."""
    policy_opts.set_defaults(CONF)
    overrides('enforce_new_defaults', False, 'oslo_policy')
    policy.reset()
    # oslo.policy warns of each deprecated rule as it loads them: expected.
    with warnings.catch_warnings():
        warnings.filterwarnings('ignore', 'Policy .* was deprecated',
                                UserWarning)
        policy.get_enforcer()


@pytest.fixture
def clients(keystone_cloud, keystone_app):
    """user -> webtest client sending that user's token."""
    return {user: webtest.TestApp(keystone_app, extra_environ={
        'HTTP_X_AUTH_TOKEN': token})
        for user, token in keystone_cloud.tokens.items()}


# Who plays which part, under upstream's new defaults (Keystone's
# reader/member/admin) and under Octavia's deprecated load-balancer_* roles
# ([oslo_policy] enforce_new_defaults = False).
MODES = {
    'new': {
        'member_a': 'a_member',
        'member_b': 'b_member',
        'readers_a': ['a_reader'],
        'outsiders': ['b_member', 'b_reader'],
        'global_reader': 'admin',
        'admin': 'admin',
    },
    'legacy': {
        'member_a': 'a_lb_member',
        'member_b': 'b_lb_member',
        'readers_a': ['a_lb_observer', 'global_observer'],
        'outsiders': ['b_lb_member'],
        'global_reader': 'global_observer',
        'admin': 'lb_admin',
    },
}


@pytest.fixture(params=sorted(MODES))
def roles(request):
    if request.param == 'legacy':
        request.getfixturevalue('legacy_roles')
    return MODES[request.param]
