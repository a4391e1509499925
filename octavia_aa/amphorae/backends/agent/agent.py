"""What the REST API does: the amphora's state behind the routes."""
import json
import os
import platform
import socket
import subprocess
import sys
import threading

from octavia_aa.amphorae.backends.agent import errors
from octavia_aa.amphorae.backends.agent import haproxy
from octavia_aa.amphorae.backends.agent import udp_service
from octavia_aa.amphorae.backends.agent import vrrp
from octavia_aa.common import wire

API_VERSION = wire.AGENT_API_VERSION
_MUTABLE = {'controller_ip_port_list': list, 'heartbeat_interval': float,
            'heartbeat_key': str}


class Agent:

    def __init__(self, conf):
        self.conf = conf
        self.opts = conf.amphora_agent
        os.makedirs(self.opts.state_dir, mode=0o700, exist_ok=True)
        self.registry = haproxy.Registry(self.opts.state_dir, self.opts)
        self.udp = udp_service.UdpService(self.opts.state_dir)
        self.overrides_path = os.path.join(self.opts.state_dir,
                                           'agent-overrides.json')
        # One change at a time per amphora: a reload must not race a
        # config upload of the same load balancer.
        self.lock = threading.Lock()
        self.heartbeat = None
        self._haproxy_version = None
        self.vrrp = vrrp.Vrrp(self)
        self.load_overrides()

    # -- identity ------------------------------------------------------
    def haproxy_version(self):
        if self._haproxy_version is None:
            out = subprocess.run([self.opts.haproxy, '-v'],
                                 capture_output=True, text=True).stdout
            self._haproxy_version = out.split()[2] if out else None
        return self._haproxy_version

    def info(self):
        return {'id': self.opts.amphora_id, 'hostname': socket.gethostname(),
                'haproxy_version': self.haproxy_version(),
                'api_version': API_VERSION}

    def details(self):
        lbs = {lb.id: {'running': lb.running()} for lb in self.registry.all()}
        with open('/proc/meminfo') as f:
            mem = dict(line.split(':', 1) for line in f)
        return dict(self.info(), load_balancers=lbs,
                    listeners=self.listeners()['listeners'],
                    vrrp=self.vrrp.details(),
                    cpu_count=os.cpu_count(), load=list(os.getloadavg()),
                    memory={k: mem[k].strip() for k in
                            ('MemTotal', 'MemFree', 'MemAvailable')},
                    rss_kb=_rss_kb(), python=platform.python_version(),
                    interfaces=self.plug({'action': 'interfaces'})
                    ['interfaces'])

    # -- network -------------------------------------------------------
    def plug(self, request):
        """Run the pyroute2 helper in a child process (see netplug)."""
        proc = subprocess.run(
            [sys.executable, '-m',
             'octavia_aa.amphorae.backends.agent.netplug'],
            input=json.dumps(request), capture_output=True, text=True,
            timeout=60)
        try:
            answer = json.loads(proc.stdout)
        except ValueError:
            raise errors.ApiError('network helper failed',
                                  output=(proc.stdout + proc.stderr)[-2000:])
        if answer['code'] != 200:
            cls = {400: errors.BadRequest, 404: errors.NotFound}.get(
                answer['code'], errors.ApiError)
            raise cls(answer['message'])
        return answer['result']

    # -- load balancers ------------------------------------------------
    def upload(self, lb_id, text, apply=True):
        lb = self.registry.get(lb_id)
        with self.lock:
            if apply and lb.running() and lb.exists() and \
                    lb.config_text() == text:
                # A cluster change pushes to every amphora; one whose own
                # configuration is the same keeps its HAProxy (a reload
                # closes idle keep-alive client connections).
                return {'message': 'unchanged'}
            lb.install(text)
            result = lb.reload() if apply else {'message': 'stored'}
        if self.heartbeat:
            self.heartbeat.trigger()
        return result

    def action(self, lb_id, action):
        lb = self.registry.get(lb_id)
        if action not in ('start', 'stop', 'reload', 'restart', 'drain'):
            raise errors.BadRequest('unknown action %s' % action)
        with self.lock:
            if action == 'restart':
                lb.stop()
                action = 'start'
            return getattr(lb, action)()

    def put_udp(self, lb_id, doc):
        result = self.udp.put(lb_id, doc)
        if self.heartbeat:
            self.heartbeat.trigger()
        return result

    def delete(self, lb_id):
        with self.lock:
            self.udp.delete(lb_id)
            return self.registry.get(lb_id).delete()

    def listeners(self):
        out = []
        for lb in self.registry.all():
            running = lb.running()
            for row in lb.stats() if running else []:
                if row.get('svname') == 'FRONTEND':
                    out.append({'id': row['pxname'], 'load_balancer_id': lb.id,
                                'status': row.get('status')})
        return {'listeners': out}

    def stats(self):
        """Absolute per-listener counters in the controller's names."""
        out = {}
        for lb in self.registry.all():
            for row in lb.stats():
                if row.get('svname') == 'FRONTEND':
                    out[row['pxname']] = {
                        'bytes_in': int(row.get('bin') or 0),
                        'bytes_out': int(row.get('bout') or 0),
                        'active_connections': int(row.get('scur') or 0),
                        'total_connections': int(row.get('stot') or 0),
                        'request_errors': int(row.get('ereq') or 0)}
        return {'listeners': out}

    def restore(self):
        """After an agent restart: HAProxy kept running on its own; start
        the load balancers that have a configuration but no process."""
        for lb in self.registry.all():
            if not lb.running():
                lb.start()
        self.udp.restore()
        self.vrrp.restore()

    # -- the agent's own configuration ---------------------------------
    def load_overrides(self):
        try:
            with open(self.overrides_path) as f:
                values = json.load(f)
        except (OSError, ValueError):
            return
        for name, value in values.items():
            self.conf.set_override(name, value, group='amphora_health')

    def update_config(self, body):
        if not isinstance(body, dict) or not body or \
                set(body) - set(_MUTABLE):
            raise errors.BadRequest('settable: %s' % ', '.join(_MUTABLE))
        try:
            values = {k: _MUTABLE[k](v) for k, v in body.items()}
        except (TypeError, ValueError) as exc:
            raise errors.BadRequest(str(exc))
        try:
            with open(self.overrides_path) as f:
                merged = json.load(f)
        except (OSError, ValueError):
            merged = {}
        merged.update(values)
        tmp = self.overrides_path + '.tmp'
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, 'w') as f:
            json.dump(merged, f)
        os.replace(tmp, self.overrides_path)
        self.load_overrides()
        if self.heartbeat:
            self.heartbeat.trigger()
        return {'updated': sorted(values)}


def _rss_kb():
    with open('/proc/self/status') as f:
        for line in f:
            if line.startswith('VmRSS:'):
                return int(line.split()[1])
    return None
