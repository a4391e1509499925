"""The two API servers tests/bench/api.py compares: octavia-aa-api and
upstream Octavia 19.0.0, each served by gunicorn from its own venv with
the same flags (workers, worker class, threads), noauth, noop drivers and
no worker process (casts go to fake://).

Upstream is installed at run time into its own venv under
/var/cache/octavia-aa-test/; none of its code is in this repository.  Its
alembic migrations fail on SQLite, so its tables are made from its
models' metadata, and the lookup tables its foreign keys point at are
filled from its own constants.
"""
import contextlib
import http.client
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid

import psutil
import sqlalchemy as sa

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
from octavia_aa.network import subnets  # noqa: E402
from tests import keystone_server  # noqa: E402
from tests import noop  # noqa: E402

OUR_BIN = os.path.dirname(sys.executable)
UPSTREAM_VENV = os.environ.get(
    'OAA_UPSTREAM_OCTAVIA_VENV',
    '/var/cache/octavia-aa-test/upstream-octavia-19-venv')
UPSTREAM_PACKAGES = ('octavia==19.0.0', 'gunicorn', 'pymysql')
MARIADB = keystone_server.MARIADB
# The subnet both sides are given: ours names it in its config (this is
# the id it derives from the name); upstream's noop network driver takes
# any UUID.
SUBNET_NAME = 'bench-subnet'
# Computed here, in the main thread: importing octavia_aa from the client
# threads at once deadlocked them.
SUBNET_ID = str(uuid.uuid5(subnets._NS, 'subnet:' + SUBNET_NAME))

OUR_SHIM = '''
from octavia_aa.common import config
config.init(['--config-file', %(conf)r])
from octavia_aa.api import app
application = app.setup_app()
'''

UPSTREAM_SHIM = '''
import sys
sys.argv = ['octavia-api', '--config-file', %(conf)r]
from octavia.api import app
application = app.setup_app(argv=sys.argv)
'''

# Run with upstream's python: its tables from its models, the lookup
# tables (name, description) filled with its own constants.
UPSTREAM_INIT = '''
import sqlalchemy as sa
from octavia.common import constants as c
from octavia.db import base_models
from octavia.db import models  # noqa: registers the tables
engine = sa.create_engine(%(url)r)
base_models.BASE.metadata.create_all(engine)
lookups = {
    'provisioning_status': c.SUPPORTED_PROVISIONING_STATUSES,
    'operating_status': c.SUPPORTED_OPERATING_STATUSES,
    'lb_topology': c.SUPPORTED_LB_TOPOLOGIES,
    'amphora_roles': c.SUPPORTED_AMPHORA_ROLES,
}
meta = base_models.BASE.metadata
with engine.begin() as conn:
    for table, names in lookups.items():
        conn.execute(meta.tables[table].insert(), [
            {'name': n, 'description': n} for n in sorted(set(names))])
'''



def free_port():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        return s.getsockname()[1]


def subnet_id():
    return SUBNET_ID


@contextlib.contextmanager
def database(kind, label):
    """A database URL for one side: a SQLite file in a fresh directory,
    or a MariaDB database with a random name, dropped afterwards."""
    state = tempfile.mkdtemp(prefix='aa-apibench-%s-' % label)
    if kind == 'sqlite':
        yield state, 'sqlite:///%s/%s.db' % (state, label)
        return
    name = 'oaa_apibench_%s_%s' % (label, uuid.uuid4().hex[:8])
    admin = sa.create_engine(MARIADB, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text('CREATE DATABASE %s CHARACTER SET utf8mb4'
                             % name))
    try:
        yield state, MARIADB + name + '?charset=utf8mb4'
    finally:
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE IF EXISTS %s' % name))
        admin.dispose()


class Side:
    """One API server under gunicorn; `cpu()` is the CPU seconds its
    processes used so far."""

    name = None

    def __init__(self, state, url, server):
        self.state = state
        self.url = url
        self.server = server
        self.port = free_port()
        self.proc = None

    def prepare(self):
        raise NotImplementedError

    def start(self):
        conf = self.prepare()
        shim = os.path.join(self.state, 'bench_wsgi_%s.py' % self.name)
        with open(shim, 'w') as f:
            f.write(self.SHIM % {'conf': conf})
        cmd = [os.path.join(self.bindir, 'gunicorn'),
               '--chdir', self.state,
               '-b', '127.0.0.1:%d' % self.port,
               '-w', str(self.server['workers']),
               '-k', self.server['worker_class'],
               '--threads', str(self.server['threads']),
               '--keep-alive', '30', '--timeout', '120',
               '--log-level', 'warning',
               'bench_wsgi_%s:application' % self.name]
        self.log = open(os.path.join(self.state, 'server.log'), 'w')
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=self.log,
                                     start_new_session=True)
        deadline = time.monotonic() + 180
        while True:
            if self.proc.poll() is not None:
                raise SystemExit('%s server exited: see %s' % (
                    self.name, self.log.name))
            # Until a worker answers (gunicorn binds before its workers
            # have loaded the application).
            try:
                conn = http.client.HTTPConnection('127.0.0.1', self.port,
                                                  timeout=5)
                conn.request('GET', '/')
                conn.getresponse().read()
                conn.close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.1)
        self.ps = psutil.Process(self.proc.pid)

    def cpu(self):
        total = 0.0
        for p in [self.ps] + self.ps.children(recursive=True):
            try:
                t = p.cpu_times()
                total += t.user + t.system
            except psutil.NoSuchProcess:
                pass
        return total

    def stop(self):
        if self.proc is None:
            return
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self.log.close()

    def create_body(self, i):
        return {'loadbalancer': {'name': 'lb%d' % i,
                                 'vip_subnet_id': subnet_id(),
                                 'project_id': 'bench-project'}}


class Ours(Side):
    name = 'ours'
    SHIM = OUR_SHIM
    bindir = OUR_BIN

    def prepare(self):
        conf = os.path.join(self.state, 'octavia-aa.conf')
        with open(conf, 'w') as f:
            f.write('[DEFAULT]\nstate_path = %s\ntransport_url = fake://\n'
                    '[api_settings]\nauth_strategy = noauth\n'
                    '[database]\nconnection = %s\n'
                    '[networking]\nsubnets = %s\n'
                    '[subnet:%s]\ncidr = 198.51.100.0/22\n'
                    'gateway_ip = 198.51.100.1\nnetwork_name = bench\n%s'
                    % (self.state, self.url, SUBNET_NAME, SUBNET_NAME,
                       noop.CONF_SECTION))
        subprocess.run([os.path.join(OUR_BIN, 'octavia-aa-db-manage'),
                        '--config-file', conf, 'upgrade', 'head'],
                       check=True, capture_output=True)
        return conf


class Upstream(Side):
    name = 'upstream'
    SHIM = UPSTREAM_SHIM

    def __init__(self, *args):
        super().__init__(*args)
        self.bindir = keystone_server.ensure_venv(UPSTREAM_VENV,
                                                  UPSTREAM_PACKAGES)

    def prepare(self):
        conf = os.path.join(self.state, 'octavia.conf')
        with open(conf, 'w') as f:
            # pool_timeout empty: oslo.db passes it to create_engine,
            # which SQLite's pool refuses.
            f.write('[DEFAULT]\ntransport_url = fake://\n'
                    '[api_settings]\nauth_strategy = noauth\n'
                    'enabled_provider_drivers = noop_driver:noop\n'
                    'default_provider_driver = noop_driver\n'
                    '[database]\nconnection = %s\npool_timeout =\n'
                    '[controller_worker]\n'
                    'amphora_driver = amphora_noop_driver\n'
                    'compute_driver = compute_noop_driver\n'
                    'network_driver = network_noop_driver\n'
                    '[certificates]\ncert_manager = noop_cert_manager\n'
                    '[task_flow]\njobboard_enabled = False\n' % self.url)
        subprocess.run([os.path.join(self.bindir, 'python'), '-c',
                        UPSTREAM_INIT % {'url': self.url}],
                       check=True, capture_output=True)
        return conf
