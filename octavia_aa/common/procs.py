"""Processes by PID, read from /proc: whether one still runs, and its
start time, which tells the process a PID was recorded for from a later
one that reuses the number.  Every component ends processes by PID."""
import os


def stat(pid):
    """(state letter, start time in clock ticks) of a process, or None."""
    try:
        with open('/proc/%d/stat' % pid) as f:
            # Fields follow the command name, which may hold ') '.
            fields = f.read().rsplit(') ', 1)[1].split()
    except (OSError, IndexError):
        return None
    return fields[0], fields[19]


def children(pid):
    """PIDs whose parent is pid, from /proc."""
    kids = []
    for entry in os.listdir('/proc'):
        if not entry.isdigit():
            continue
        try:
            with open('/proc/%s/stat' % entry) as f:
                ppid = int(f.read().rsplit(') ', 1)[1].split()[1])
        except (OSError, IndexError, ValueError):
            continue
        if ppid == pid:
            kids.append(int(entry))
    return kids


def alive(pid):
    """Runs (exists and is neither a zombie nor dead)."""
    found = stat(pid)
    return found is not None and found[0] not in ('Z', 'X')


def start_time(pid):
    found = stat(pid)
    return found[1] if found else None


def signal(pid, sig):
    """Send sig; a process that is already gone is no error."""
    try:
        os.kill(pid, sig)
    except ProcessLookupError:
        pass


PR_SET_PDEATHSIG = 1


def die_with_parent(parent=None, sig=9):
    """Have the kernel send sig (default SIGKILL) to this process when
    its parent dies, however it dies (a forked worker must not outlive
    its service: it would go on consuming casts and building machines).
    Call it in the child right after the fork; `parent` is the PID the
    parent had (default: the current parent)."""
    import ctypes
    parent = os.getppid() if parent is None else parent
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.prctl(PR_SET_PDEATHSIG, sig, 0, 0, 0) != 0:
        raise OSError(ctypes.get_errno(), 'prctl(PR_SET_PDEATHSIG)')
    if os.getppid() != parent:
        # The parent died before the prctl: no signal will come.
        os._exit(1)
