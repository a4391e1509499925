"""The demo's member and client namespaces and its member servers
(tracked by PID and start time, never by name)."""
import ipaddress
import json
import os
import shlex
import signal
import subprocess
import sys
import time

from octavia_aa.common import procs
from octavia_aa.demo import common
from octavia_aa.demo import scripts


def run(*args, ns=None, check=True, timeout=60, what=None):
    cmd = (['ip', 'netns', 'exec', ns] if ns else []) + list(args)
    what = what or shlex.join(cmd)
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True,
                              timeout=timeout)
    except subprocess.TimeoutExpired:
        raise common.DemoError('%s timed out after %.0f s' % (what, timeout))
    if check and proc.returncode:
        raise common.DemoError('%s failed: %s' % (what, proc.stderr.strip()))
    return proc


def make_namespace(plan, ns, veth, subnet, addresses):
    links = plan.links
    net = ipaddress.ip_network(subnet.cidr)
    bridge = plan.bridge(subnet)
    if not os.path.exists('/sys/class/net/%s' % bridge):
        # The service makes it on its first port there; if the demo made
        # it, --cleanup removes it again (once it has no ports).
        os.makedirs(plan.state_dir, exist_ok=True)
        with open(plan.bridge_file, 'a') as f:
            f.write(bridge + '\n')
    links.ensure_bridge(bridge, subnet.mtu)
    links.ensure_namespace(ns)
    mac = links.mac_for(plan.prefix, veth)
    links.plug(ns, bridge, veth, 'eth0', mac, subnet.mtu,
               address=addresses[0], prefixlen=net.prefixlen)
    for address in addresses[1:]:
        run('ip', 'addr', 'replace', '%s/%d' % (address, net.prefixlen),
            'dev', 'eth0', ns=ns)
    common.say('  namespace %s on bridge %s (%s): %s' % (
        ns, bridge, subnet.name, ', '.join(addresses)))


def _read_pids(plan):
    try:
        with open(plan.pid_file) as f:
            return [json.loads(line) for line in f if line.strip()]
    except FileNotFoundError:
        return []


def start_members(plan):
    os.makedirs(plan.state_dir, exist_ok=True)
    running = {entry['ip'] for entry in _read_pids(plan)
               if procs.start_time(entry['pid']) == entry['start']}
    with open(plan.pid_file, 'a') as pids:
        for name, ip in zip(common.MEMBERS, plan.member_ips):
            if ip in running:
                continue
            log = open(os.path.join(plan.state_dir, '%s.log' % name), 'ab')
            proc = subprocess.Popen(
                ['ip', 'netns', 'exec', plan.member_ns, sys.executable,
                 '-c', scripts.MEMBER_SERVER, ip, str(common.MEMBER_PORT),
                 name, common.MARKER],
                stdin=subprocess.DEVNULL, stdout=log, stderr=log,
                start_new_session=True, close_fds=True)
            log.close()
            # `ip netns exec` execs python in place: same PID.
            start = None
            for _ in range(50):
                start = procs.start_time(proc.pid)
                if start:
                    break
                time.sleep(0.01)
            pids.write(json.dumps({'pid': proc.pid, 'start': start,
                                   'ip': ip, 'name': name}) + '\n')
            pids.flush()
            common.say('  %s: http://%s:%d/ (pid %d)' % (
                name, ip, common.MEMBER_PORT, proc.pid))
    run(sys.executable, '-c', scripts.WAIT_LISTEN, '10',
        str(common.MEMBER_PORT), *plan.member_ips, ns=plan.member_ns,
        what='the member servers')


def stop_members(plan):
    entries = [e for e in _read_pids(plan)
               if e.get('start') and procs.start_time(e['pid']) == e['start']]
    for entry in entries:
        common.say('  kill %d (%s)' % (entry['pid'], entry['name']))
        procs.signal(entry['pid'], signal.SIGTERM)
    deadline = time.monotonic() + 5
    for entry in entries:
        while (procs.start_time(entry['pid']) == entry['start']
               and time.monotonic() < deadline):
            time.sleep(0.05)
        if procs.start_time(entry['pid']) == entry['start']:
            procs.signal(entry['pid'], signal.SIGKILL)
    try:
        os.unlink(plan.pid_file)
    except FileNotFoundError:
        pass


def remove_namespaces(plan):
    from octavia_aa.compute.drivers import netns as compute_netns
    for ns, veth in ((plan.member_ns, plan.member_veth),
                     (plan.client_ns, plan.client_veth)):
        if plan.links.namespace_exists(ns):
            left = compute_netns.namespace_pids(ns)
            if left:
                common.say('  note: processes not started by the demo '
                           'still run in %s: %s' % (
                               ns, ' '.join(map(str, sorted(left)))))
            common.say('  remove namespace %s' % ns)
            plan.links.remove_namespace(ns)
        plan.links.remove_link(veth)
    try:
        with open(plan.bridge_file) as f:
            bridges = set(f.read().split())
    except FileNotFoundError:
        bridges = set()
    for bridge in sorted(bridges):
        if plan.links.bridge_ports(bridge):
            common.say('  bridge %s is in use by the service: left in '
                       'place' % bridge)
        else:
            plan.links.remove_link(bridge)
    if os.path.exists(plan.bridge_file):
        os.unlink(plan.bridge_file)
