"""A real Barbican for the tests: installed from PyPI into its own
virtualenv, backed by SQLite in a temporary directory, authenticating
through a real Keystone (tests/keystone_server.py), served by uwsgi on a
free loopback port, and torn down (uwsgi by PID, its files removed) even
when a step fails.

    with keystone_server.running() as ks, barbican_server.running(ks) as bb:
        bb.url                              # http://127.0.0.1:PORT
        href = bb.store(session, payload, 'application/octet-stream')
        bb.grant_read(session, href, user_id)

Nothing here skips: the tests using it are about Barbican.
"""
import base64
import contextlib
import os
import shutil
import tempfile
import uuid

from tests import keystone_server

VENV = os.environ.get('OAA_BARBICAN_VENV',
                      '/var/cache/octavia-aa-test/barbican-venv')
PACKAGES = ('barbican', 'uwsgi')

# Barbican reads ~/.barbican/barbican.conf at import (its config is parsed
# then, with no arguments), so the test's HOME carries it.
CONF_TEMPLATE = """[DEFAULT]
sql_connection = sqlite:///{tmp}/barbican.sqlite
db_auto_create = true
host_href = {url}
debug = false
use_stderr = true
[keystone_authtoken]
www_authenticate_uri = {keystone}
auth_url = {keystone}
auth_type = password
username = {user}
password = {password}
project_name = {project}
user_domain_name = Default
project_domain_name = Default
[secretstore]
enabled_secretstore_plugins = store_crypto
[crypto]
enabled_crypto_plugins = simple_crypto
[simple_crypto_plugin]
# A Fernet key: URL-safe base64 (cryptography 51 refuses '+' and '/',
# which a standard encoding gives three times in four).
kek = {kek}
"""

PASTE = """[composite:main]
use = egg:Paste#urlmap
/: versions
/healthcheck: healthcheck
/v1: api
[pipeline:versions]
pipeline = request_id microversion versionapp
[pipeline:api]
pipeline = request_id authtoken context microversion apiapp
[app:apiapp]
paste.app_factory = barbican.api.app:create_main_app
[app:versionapp]
paste.app_factory = barbican.api.app:create_version_app
[app:healthcheck]
paste.app_factory = oslo_middleware:Healthcheck.app_factory
backends = disable_by_file
disable_by_file_path = {tmp}/healthcheck_disable
[filter:context]
paste.filter_factory = barbican.api.middleware.context:ContextMiddleware.factory
[filter:microversion]
paste.filter_factory = barbican.api.middleware.microversion:MicroversionMiddleware.factory
[filter:authtoken]
paste.filter_factory = keystonemiddleware.auth_token:filter_factory
[filter:request_id]
paste.filter_factory = oslo_middleware.request_id:RequestId.factory
"""

WSGI = """from paste import deploy
application = deploy.loadapp('config:{tmp}/barbican-api-paste.ini')
"""


class Barbican:
    def __init__(self, url):
        self.url = url

    def _call(self, session, method, path, body=None):
        resp = session.request(self.url + path, method, json=body,
                               raise_exc=False)
        if resp.status_code >= 400:
            raise keystone_server.KeystoneUnavailable(
                'Barbican %s %s: %s %s' % (method, path, resp.status_code,
                                           resp.text))
        return resp.json() if resp.content else None

    def store(self, session, payload, content_type, name='oaa-test'):
        """A secret of `session`'s project; returns its href."""
        body = {'name': name, 'payload_content_type': content_type}
        if content_type == 'application/octet-stream':
            body.update(payload=base64.b64encode(payload).decode(),
                        payload_content_encoding='base64')
        else:
            body['payload'] = payload.decode()
        return self._call(session, 'POST', '/v1/secrets', body)['secret_ref']

    def grant_read(self, session, href, user_id):
        """A Barbican ACL letting `user_id` read the secret."""
        path = href[len(self.url):] + '/acl'
        self._call(session, 'PUT', path, {'read': {
            'users': [user_id], 'project-access': True}})


@contextlib.contextmanager
def running(keystone):
    """Yields a Barbican whose service user and catalog entry are in
    `keystone`; uwsgi is stopped and its files removed whatever
    happened."""
    bindir = keystone_server.ensure_venv(VENV, PACKAGES)
    tmp = tempfile.mkdtemp(prefix='oaa-barbican-')
    try:
        port = keystone_server.free_port()
        url = 'http://127.0.0.1:%d' % port
        suffix = uuid.uuid4().hex[:8]
        project = 'barbican-service-' + suffix
        user, password = 'barbican-' + suffix, uuid.uuid4().hex
        keystone.user(user, password, keystone.project(project), ['admin'])
        keystone.endpoint('key-manager', 'barbican', url)
        os.makedirs(os.path.join(tmp, '.barbican'))
        files = {
            '.barbican/barbican.conf': CONF_TEMPLATE.format(
                tmp=tmp, url=url, keystone=keystone.url, user=user,
                password=password, project=project,
                kek=base64.urlsafe_b64encode(os.urandom(32)).decode()),
            'barbican-api-paste.ini': PASTE.format(tmp=tmp),
            'app.py': WSGI.format(tmp=tmp)}
        for name, text in files.items():
            with open(os.path.join(tmp, name), 'w') as f:
                f.write(text)
        log_path = os.path.join(tmp, 'uwsgi.log')
        proc = keystone_server.start_uwsgi(
            bindir, ['--wsgi-file', os.path.join(tmp, 'app.py')], port,
            log_path, env={'HOME': tmp}, cwd=tmp)
        try:
            keystone_server.wait_ready(url + '/healthcheck', proc, log_path,
                                       'Barbican')
            yield Barbican(url)
        finally:
            keystone_server.stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class Cloud:
    """Keystone and Barbican with a tenant (whose user stores secrets) and
    octavia-aa's service user in a project of its own."""

    def __init__(self, keystone, barbican):
        self.keystone, self.barbican = keystone, barbican
        suffix = uuid.uuid4().hex[:8]
        self.tenant = 'oaa-tenant-' + suffix
        password = uuid.uuid4().hex
        keystone.user('tenant-' + suffix, password,
                      keystone.project(self.tenant), ['member'])
        self.tenant_session = keystone.session('tenant-' + suffix, password,
                                               self.tenant)
        self.service_auth = {
            'auth_type': 'password', 'auth_url': keystone.url,
            'username': 'octavia-' + suffix, 'password': uuid.uuid4().hex,
            'project_name': 'oaa-service-' + suffix,
            'user_domain_name': 'Default', 'project_domain_name': 'Default'}
        self.service_user_id = keystone.user(
            self.service_auth['username'], self.service_auth['password'],
            keystone.project(self.service_auth['project_name']), ['member'])

    def store(self, payload, content_type='application/octet-stream',
              readable=True):
        """A tenant secret; the service user may read it if `readable`."""
        href = self.barbican.store(self.tenant_session, payload,
                                   content_type)
        if readable:
            self.barbican.grant_read(self.tenant_session, href,
                                     self.service_user_id)
        return href

    def configure(self, override):
        """octavia-aa's [certificates]/[service_auth]/castellan options
        for this cloud, through override(name, value, group)."""
        from castellan import options as castellan_options

        from octavia_aa.common import config
        from octavia_aa.common import service_auth
        service_auth.register_plugin_opts(config.CONF)
        castellan_options.set_defaults(config.CONF, backend='barbican')
        override('cert_manager', 'castellan_cert_manager', 'certificates')
        for name, value in self.service_auth.items():
            override(name, value, service_auth.GROUP)
        override('auth_endpoint', self.keystone.url, 'barbican')


@contextlib.contextmanager
def cloud():
    with keystone_server.running() as keystone, running(keystone) as bb:
        yield Cloud(keystone, bb)
