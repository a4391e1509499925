"""A real Keystone for the tests: installed from PyPI into its own
virtualenv, backed by a fresh MariaDB database, served by uwsgi on a free
loopback port, and torn down (uwsgi by PID, the database dropped) even
when a step fails.

Nothing here skips: when MariaDB is down or Keystone cannot be installed
the fixture raises, since the tests using it are about Keystone.

    with keystone_server.running() as ks:
        ks.url                       # http://127.0.0.1:PORT/v3
        ks.admin_session()           # keystoneauth1 session as admin
"""
import contextlib
import fcntl
import hashlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

from keystoneauth1 import session as ks_session
from keystoneauth1.identity import v3
import requests
import sqlalchemy as sa

from octavia_aa.common import procs

# Outside git so that it survives `git clean` and is shared between
# worktrees; a second run only checks the stamp.
VENV = os.environ.get('OAA_KEYSTONE_VENV',
                      '/var/cache/octavia-aa-test/keystone-venv')
PACKAGES = ('keystone', 'uwsgi', 'PyMySQL')
MARIADB = 'mysql+pymysql://root@127.0.0.1:3306/'
ADMIN_PASSWORD = 'oaa-admin-' + uuid.uuid4().hex[:8]
START_TIMEOUT = 60


class KeystoneUnavailable(RuntimeError):
    """Keystone could not be installed or started."""


def _run(cmd, what, **kwargs):
    proc = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if proc.returncode != 0:
        raise KeystoneUnavailable('%s failed (rc=%s): %s\n%s' % (
            what, proc.returncode, ' '.join(cmd),
            (proc.stdout + proc.stderr)[-4000:]))
    return proc


def ensure_venv(venv=None, packages=None):
    """Install `packages` (default Keystone and uwsgi) into `venv`
    (default VENV) unless already done; returns the venv's bin
    directory.  A lock file serializes concurrent runs."""
    venv = venv or VENV
    packages = packages or PACKAGES
    stamp = os.path.join(venv, '.installed-' + hashlib.sha256(
        ' '.join(packages).encode()).hexdigest()[:12])
    bindir = os.path.join(venv, 'bin')
    if os.path.exists(stamp):
        return bindir
    os.makedirs(os.path.dirname(venv), exist_ok=True)
    with open(venv + '.lock', 'w') as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if os.path.exists(stamp):
            return bindir
        if not os.path.exists(os.path.join(bindir, 'python')):
            _run([sys.executable, '-m', 'venv', venv], 'creating ' + venv)
        _run([os.path.join(bindir, 'pip'), 'install', '-q'] + list(packages),
             'pip install %s' % ' '.join(packages))
        open(stamp, 'w').close()
    return bindir


def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def _database():
    name = 'oaa_ks_%s' % uuid.uuid4().hex[:10]
    admin = sa.create_engine(MARIADB, isolation_level='AUTOCOMMIT')
    try:
        with admin.connect() as conn:
            conn.execute(sa.text('CREATE DATABASE %s CHARACTER SET utf8mb4'
                                 % name))
    except sa.exc.OperationalError as e:
        admin.dispose()
        raise KeystoneUnavailable('MariaDB at %s is not reachable: %s'
                                  % (MARIADB, e))
    try:
        yield MARIADB + name + '?charset=utf8mb4'
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))
        admin.dispose()


CONF_TEMPLATE = """[DEFAULT]
debug = false
use_stderr = true
[database]
connection = {db}
[token]
provider = fernet
[fernet_tokens]
key_repository = {tmp}/fernet-keys
[fernet_receipts]
key_repository = {tmp}/fernet-keys
[credential]
key_repository = {tmp}/credential-keys
[cache]
enabled = true
backend = oslo_cache.dict
[identity]
# The fewest bcrypt rounds: hashing test passwords at the default cost
# takes seconds per user on a small machine.
password_hash_rounds = 4
[oslo_policy]
enforce_new_defaults = true
enforce_scope = true
"""


class Keystone:
    def __init__(self, url, admin_password):
        self.url = url
        self.admin_password = admin_password
        self._admin = None
        self._roles = {}

    def session(self, user, password, project=None, domain='Default'):
        """Scoped to `project`, or to the system without one."""
        scope = ({'project_name': project, 'project_domain_name': domain}
                 if project else {'system_scope': 'all'})
        auth = v3.Password(auth_url=self.url, username=user,
                           password=password, user_domain_name=domain,
                           **scope)
        return ks_session.Session(auth=auth)

    def admin_session(self):
        if self._admin is None:
            self._admin = self.session('admin', self.admin_password, 'admin')
        return self._admin

    def _call(self, method, path, body=None):
        resp = self.admin_session().request(
            self.url + path, method, json=body, raise_exc=False)
        if resp.status_code >= 400:
            raise KeystoneUnavailable('%s %s: %s %s' % (
                method, path, resp.status_code, resp.text))
        return resp.json() if resp.content else None

    def project(self, name):
        return self._call('POST', '/projects', {'project': {
            'name': name, 'domain_id': 'default'}})['project']['id']

    def role(self, name):
        """The id of role `name`, made if Keystone has none yet."""
        if name not in self._roles:
            found = self._call('GET', '/roles?name=' + name)['roles']
            self._roles[name] = found[0]['id'] if found else self._call(
                'POST', '/roles', {'role': {'name': name}})['role']['id']
        return self._roles[name]

    def user(self, name, password, project_id, roles):
        """A user with `roles` (names) on project_id."""
        user_id = self._call('POST', '/users', {'user': {
            'name': name, 'password': password, 'domain_id': 'default',
            'default_project_id': project_id}})['user']['id']
        for role in roles:
            self._call('PUT', '/projects/%s/users/%s/roles/%s' % (
                project_id, user_id, self.role(role)))
        return user_id

    def endpoint(self, service_type, name, url):
        """A service in the catalog with one public endpoint at url."""
        service = self._call('POST', '/services', {'service': {
            'type': service_type, 'name': name}})['service']['id']
        self._call('POST', '/endpoints', {'endpoint': {
            'service_id': service, 'interface': 'public', 'url': url,
            'region_id': 'RegionOne'}})

    def token(self, user, password, project):
        """A project-scoped token and its project id."""
        sess = self.session(user, password, project)
        return sess.get_token(), sess.get_project_id()


def wait_ready(url, proc, log_path, what='Keystone'):
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            break
        try:
            if requests.get(url, timeout=2).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.2)
    with open(log_path) as f:
        log = f.read()[-4000:]
    raise KeystoneUnavailable('%s at %s did not answer (uwsgi %s): %s'
                              % (what, url, 'exited' if proc.poll()
                                 is not None else 'still starting', log))


def stop(proc):
    # uwsgi's master ends its workers on SIGTERM (--die-on-term); if it
    # does not, its process group (its own session, so ours to end) is
    # killed while the master still holds the group id.
    procs.signal(proc.pid, signal.SIGTERM)
    try:
        proc.wait(15)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(5)


def start_uwsgi(bindir, app, port, log_path, env=None, cwd=None):
    """uwsgi serving `app` (['--module', M] or ['--wsgi-file', F]) on
    127.0.0.1:port from the venv of bindir, in a session of its own."""
    with open(log_path, 'w') as log:
        return subprocess.Popen(
            [os.path.join(bindir, 'uwsgi'),
             '--http11-socket', '127.0.0.1:%d' % port] + list(app) +
            ['--virtualenv', os.path.dirname(bindir),
             '--master', '--processes', '1', '--threads', '4',
             '--die-on-term', '--need-app', '--lazy-apps'],
            stdout=log, stderr=subprocess.STDOUT,
            env=dict(os.environ, **(env or {})), start_new_session=True,
            cwd=cwd)


def _start(bindir, conf, port, log_path):
    return start_uwsgi(bindir, ['--module', 'keystone.wsgi.api:application'],
                       port, log_path, env={'OS_KEYSTONE_CONFIG_FILES': conf})


def _prepare(bindir, conf, url):
    manage = [os.path.join(bindir, 'keystone-manage'), '--config-file',
              conf]
    _run(manage + ['db_sync'], 'keystone-manage db_sync')
    for keys in ('fernet_setup', 'credential_setup'):
        _run(manage + [keys, '--keystone-user', 'root',
                       '--keystone-group', 'root'],
             'keystone-manage ' + keys)
    _run(manage + ['bootstrap', '--bootstrap-password', ADMIN_PASSWORD,
                   '--bootstrap-admin-url', url,
                   '--bootstrap-public-url', url,
                   '--bootstrap-internal-url', url,
                   '--bootstrap-region-id', 'RegionOne'],
         'keystone-manage bootstrap')


@contextlib.contextmanager
def running():
    """Yields a Keystone with an admin; uwsgi is stopped, then its
    database dropped and its files removed, whatever happened."""
    bindir = ensure_venv()
    tmp = tempfile.mkdtemp(prefix='oaa-keystone-')
    try:
        with _database() as db:
            conf = os.path.join(tmp, 'keystone.conf')
            with open(conf, 'w') as f:
                f.write(CONF_TEMPLATE.format(db=db, tmp=tmp))
            port = free_port()
            url = 'http://127.0.0.1:%d/v3' % port
            _prepare(bindir, conf, url)
            log_path = os.path.join(tmp, 'uwsgi.log')
            proc = _start(bindir, conf, port, log_path)
            try:
                wait_ready(url, proc, log_path)
                yield Keystone(url, ADMIN_PASSWORD)
            finally:
                stop(proc)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
