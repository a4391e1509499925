"""What a devcloud leaves on the host once tools/devcloud/down.sh ran:
each entry names a thing that should be gone (an empty list: clean)."""
import json
import os
import re
import subprocess

# Nova/Neutron's taps (tap + 11 characters of the port id), the devcloud's
# OVS bridges and the userspace datapath's own device.
LINK = re.compile(r'^(tap[0-9a-f]{8}-[0-9a-f]{2}|br-int|br-dc-[a-z]+|'
                  r'ovs-netdev|virbr\d+)$')
NETNS = re.compile(r'^(devcloud-client|qdhcp-[0-9a-f-]{36})$')


def _out(*cmd):
    try:
        return subprocess.run(cmd, capture_output=True, text=True,
                              timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return ''


def processes(home):
    """PIDs and command lines that name ``home`` (the venv, configs and
    data of the devcloud: every daemon it starts, dnsmasq, QEMU)."""
    found = []
    for pid in filter(str.isdigit, os.listdir('/proc')):
        try:
            with open('/proc/%s/cmdline' % pid, 'rb') as f:
                cmd = f.read().replace(b'\0', b' ').decode(errors='replace')
        except OSError:
            continue
        if str(home) + '/' in cmd and int(pid) != os.getpid():
            found.append('process %s: %s' % (pid, cmd[:120]))
    return found


def find(home):
    left = processes(home)
    for link in json.loads(_out('ip', '-j', 'link') or '[]'):
        if LINK.match(link['ifname']):
            left.append('link %s' % link['ifname'])
    for line in _out('ip', 'netns', 'list').splitlines():
        name = line.split()[0] if line.split() else ''
        if NETNS.match(name):
            left.append('netns %s' % name)
    dbs = _out('mysql', '-h', '127.0.0.1', '-P', '3306', '-u', 'root', '-N',
               '-e', r"SHOW DATABASES LIKE 'devcloud\_%'").split()
    left.extend('database %s' % db for db in dbs)
    if 'devcloud' in _out('rabbitmqctl', '-q', 'list_vhosts').split():
        left.append('rabbitmq vhost devcloud')
    run = os.path.join(str(home), 'run')
    if os.path.isdir(run):
        left.extend('pid file %s' % f for f in os.listdir(run)
                    if f.endswith('.pid'))
    return left
