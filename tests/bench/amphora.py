#!/usr/bin/env python
"""Benchmark of one netns amphora (run as root, not in CI).

    cd /work/main && .venv/bin/python tests/bench/amphora.py [--seconds 5]

Boots an amphora through the netns compute and network drivers, plugs
its VIP with ARP off, pushes a two-member configuration through the REST
driver, reloads HAProxy five times under keep-alive load and measures
rps through the amphora with wrk.  Everything lives in namespaces with a
random prefix and is removed at the end.  The last line printed is one
JSON object with the figures.

Measured on the shared 2-vCPU dev machine (last two runs): boot 387-488
ms, plug_vip 254 ms, config_push 160-170 ms, agent RSS 30.3 MB (gunicorn
worker; master 33.2 MB, PSS of both 32.7 MB), HAProxy 20.4 MB, 0 failed
requests over 5 reloads under 8 keep-alive connections (9-18 of ~10k
requests retried once because the old worker closed their idle
connection: HAProxy 2.6 has no idle-close-on-response), 4.8-5.2k rps
with wrk -c16 (the two Python member servers are the limit).
"""
import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

REPO = os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__))))
sys.path.insert(0, REPO)

from octavia_aa.common import config  # noqa: E402
from octavia_aa.compute.drivers import netns as compute_netns  # noqa: E402
from tests.amphora import bed as bedmod  # noqa: E402
from tests.amphora import test_agent_netns as helpers  # noqa: E402


def _status_kb(pid, field):
    try:
        with open('/proc/%d/status' % pid) as f:
            for line in f:
                if line.startswith(field + ':'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _pss_kb(pid):
    try:
        with open('/proc/%d/smaps_rollup' % pid) as f:
            for line in f:
                if line.startswith('Pss:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _cmd(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode()
    except OSError:
        return ''


def memory(bed, amp):
    pids = compute_netns.namespace_pids(bed.compute._namespace(
        amp.compute_id))
    agent = [p for p in pids if 'amphora-agent' in _cmd(p)]
    haproxy = [p for p in pids if _cmd(p).startswith('haproxy')]
    agent_master = bed.compute._agent_pid(amp.compute_id)
    workers = [p for p in agent if p != agent_master]
    mb = lambda kb: round(kb / 1024.0, 1)     # noqa: E731
    return {
        # The process that serves the API (gunicorn's worker).
        'agent_rss_mb': mb(max(_status_kb(p, 'VmRSS') for p in workers)),
        'agent_master_rss_mb': mb(_status_kb(agent_master, 'VmRSS')),
        # Proportional set size of master + worker: what the two really
        # cost together (shared pages counted once).
        'agent_pss_mb': mb(sum(_pss_kb(p) for p in agent)),
        'haproxy_rss_mb': mb(sum(_status_kb(p, 'VmRSS') for p in haproxy)),
    }


def reload_under_load(bed, amp, reloads=5):
    stop = os.path.join(tempfile.mkdtemp(), 'stop')
    load = bed.spawn(bed.client_ns, [
        sys.executable, os.path.join(REPO, 'tests/amphora/loadgen.py'),
        bedmod.VIP, '80', '8', stop], stdout=subprocess.PIPE,
        stderr=subprocess.PIPE, text=True)
    times = []
    try:
        bedmod.wait_for(lambda: os.path.exists(stop + '.ready'),
                        what='load running')
        for i in range(reloads):
            t = time.monotonic()
            bed.amp_driver.update_config(
                amp, helpers.lb_config(bed, 1 + i % 3))
            times.append((time.monotonic() - t) * 1000)
            time.sleep(0.3)
    finally:
        open(stop, 'w').close()
        out, err = load.communicate(timeout=120)
    totals = json.loads(out.strip().splitlines()[-1])
    return totals, times


def wrk(bed, seconds):
    r = bedmod.sh('wrk', '-t1', '-c16', '-d%ds' % seconds,
                  'http://%s/' % bedmod.VIP, ns=bed.client_ns)
    return float(re.search(r'Requests/sec:\s+([\d.]+)', r.stdout).group(1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seconds', type=int, default=5)
    args = parser.parse_args()
    config.CONF([], project='octavia-aa', default_config_files=[])
    bed = bedmod.Bed()
    result = {}
    try:
        t = time.monotonic()
        amp = bed.boot_amphora()
        result['boot_ms'] = round((time.monotonic() - t) * 1000)
        bed.amp = amp
        port = bed.network.plug_amphora(amp, bed.front)
        amp.vrrp_ip, amp.frontend_mac = port['ip'], port['mac']
        vip = {'ip_address': bedmod.VIP, 'subnet_cidr': bed.front.cidr,
               'gateway': None, 'mtu': bed.front.mtu, 'mac': port['mac']}
        t = time.monotonic()
        bed.amp_driver.plug_vip(amp, vip, False)
        result['plug_vip_ms'] = round((time.monotonic() - t) * 1000)
        bed.plug_members(amp)
        bed.member_ns = bed.member_servers()
        bed.client_ns, bed.client_port = bed.namespace('cli', bed.front)
        t = time.monotonic()
        bed.amp_driver.update_config(amp, helpers.lb_config(bed))
        result['config_push_ms'] = round((time.monotonic() - t) * 1000)
        helpers.to_amphora(bed)
        bedmod.wait_for(lambda: helpers.curl(bed), what='VIP served')
        totals, times = reload_under_load(bed, amp)
        result['reload_failed_requests'] = totals['failed']
        result['reload_retried_requests'] = totals['retried']
        result['reload_load_requests'] = totals['ok']
        result['reload_push_ms_max'] = round(max(times))
        result['rps'] = round(wrk(bed, args.seconds))
        result.update(memory(bed, amp))
    finally:
        bed.close()
    print(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
