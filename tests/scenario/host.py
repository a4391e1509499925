"""Commands and processes on this host, for the scenario deployment and
its leak finder."""
import os
import signal
import subprocess

from octavia_aa.common import procs


def sh(*cmd, ns=None, check=True, timeout=60, input=None):
    if ns:
        cmd = ('ip', 'netns', 'exec', ns) + tuple(cmd)
    r = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                       input=input)
    if check and r.returncode:
        raise RuntimeError('%s: %s' % (' '.join(cmd), r.stderr.strip()))
    return r


def cmdline(pid):
    try:
        with open('/proc/%d/cmdline' % pid, 'rb') as f:
            return f.read().replace(b'\0', b' ').decode(errors='replace')
    except OSError:
        return ''


def kill_pids(pids, sig=signal.SIGKILL):
    for pid in pids:
        procs.signal(pid, sig)


def netns_id(pid):
    try:
        st = os.stat('/proc/%d/ns/net' % pid)
    except OSError:
        return None
    return (st.st_ino, st.st_dev)
