"""octavia-aa-all on the devcloud for the scenario tests: its config from
tools/devcloud/octavia-conf.py in a temp dir, started by PID and stopped
by PID, and the real `openstack` CLI (python-octaviaclient plus our
plugin) as the devcloud's admin through Keystone."""
import json
import os
import pathlib
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = pathlib.Path(__file__).resolve().parents[2]
BIN = pathlib.Path(sys.executable).parent
CONF_TOOL = ROOT / 'tools' / 'devcloud' / 'octavia-conf.py'
API = 'http://127.0.0.1:9876'


class Controller:

    def __init__(self, env):
        self.env = env
        self.tmp = tempfile.mkdtemp(prefix='oaa-devcloud-')
        self.conf = os.path.join(self.tmp, 'octavia-aa.conf')
        self.state = os.path.join(self.tmp, 'state')
        self.log = os.path.join(self.tmp, 'all.log')
        self.proc = None
        self.cli_env = {k: v for k, v in os.environ.items()
                        if not k.startswith('OS_')}
        self.cli_env.update(OS_CLIENT_CONFIG_FILE=env['OS_CLIENT_CONFIG_FILE'],
                            OS_CLOUD='devcloud-admin')

    def start(self, timeout=180):
        subprocess.run([sys.executable, str(CONF_TOOL), self.conf,
                        self.state], check=True, capture_output=True,
                       env=dict(os.environ, DEVCLOUD_STATE=str(
                           pathlib.Path(self.env['OS_CLIENT_CONFIG_FILE'])
                           .parent)))
        with open(self.log, 'ab') as out:
            self.proc = subprocess.Popen(
                [str(BIN / 'octavia-aa-all'), '--config-file', self.conf],
                stdin=subprocess.DEVNULL, stdout=out,
                stderr=subprocess.STDOUT, start_new_session=True, cwd=ROOT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise AssertionError('octavia-aa-all exited %s: %s' % (
                    self.proc.returncode, self.tail()))
            try:
                with urllib.request.urlopen(API + '/', timeout=2):
                    return self
            except OSError:
                time.sleep(1)
        raise AssertionError('API not up in %ss: %s' % (timeout,
                                                         self.tail()))

    def tail(self, lines=60):
        try:
            with open(self.log, errors='replace') as f:
                return ''.join(f.readlines()[-lines:])
        except OSError:
            return ''

    def stop(self, timeout=30):
        """Stop octavia-aa-all (by its process group) and remove the
        temp dir (failures quote the log's tail before this)."""
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        shutil.rmtree(self.tmp, ignore_errors=True)

    def cli(self, *args, ok=True, timeout=600):
        proc = subprocess.run([str(BIN / 'openstack'), *args],
                              env=self.cli_env, capture_output=True,
                              text=True, timeout=timeout)
        if ok and proc.returncode != 0:
            raise AssertionError('openstack %s failed (%d): %s%s\n%s' % (
                ' '.join(args), proc.returncode, proc.stdout, proc.stderr,
                self.tail(30)))
        return proc

    def cli_json(self, *args, timeout=600):
        return json.loads(self.cli(*args, '-f', 'json',
                                   timeout=timeout).stdout or 'null')


    def http_service(self, lb_name, member_ips):
        """Listener `web` (HTTP:80), pool `pool1` (ROUND_ROBIN) and one
        member per address (port 80, tenant-subnet) on the load balancer,
        each step waited for."""
        self.cli('loadbalancer', 'listener', 'create', '--name', 'web',
                 '--protocol', 'HTTP', '--protocol-port', '80', lb_name,
                 '--wait')
        self.cli('loadbalancer', 'pool', 'create', '--name', 'pool1',
                 '--listener', 'web', '--protocol', 'HTTP',
                 '--lb-algorithm', 'ROUND_ROBIN', '--wait')
        for ip in member_ips:
            self.cli('loadbalancer', 'member', 'create', '--subnet-id',
                     'tenant-subnet', '--address', ip, '--protocol-port',
                     '80', 'pool1', '--wait')


def client_get(env, url, timeout=5):
    """GET from the devcloud's client namespace on the public network;
    the body, or None."""
    proc = subprocess.run(
        ['ip', 'netns', 'exec', env['DEVCLOUD_CLIENT_NETNS'], 'curl', '-s',
         '-m', str(timeout), url], capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None
