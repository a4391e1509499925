"""What every task shares: a name that can carry a prefix (one flow holds
several copies of a task, one per amphora) and the fault text of a
failed flow."""
from concurrent import futures

from taskflow import task

from octavia_aa.db import lifecycle

FAULT_LEN = lifecycle.FAULT_LEN


class Task(task.Task):

    def __init__(self, prefix=None, **kwargs):
        name = type(self).__name__
        if prefix:
            name = '%s-%s' % (prefix, name)
        super().__init__(name=name, **kwargs)


# Agents asked at once by one task (a cluster's amphorae).
MAX_AT_ONCE = 16


def each(func, items):
    """func(item) for every item, side by side (each is a call to one
    machine's agent, mostly waiting: one after the other, a cluster of 9
    took 9 times one call).  Every call runs to its end; then the first
    error, in the items' order, is raised."""
    items = list(items)
    if len(items) <= 1:
        for item in items:
            func(item)
        return
    with futures.ThreadPoolExecutor(min(len(items), MAX_AT_ONCE)) as pool:
        done = [pool.submit(func, item) for item in items]
    for future in done:
        future.result()


def fault_from(revert_kwargs):
    """'<step> failed: <error type>: <message>' for the failure that
    started the revert (the step is the task's name with its prefix, e.g.
    amp1-ComputeBuild)."""
    failures = revert_kwargs.get('flow_failures') or {}
    for atom, failure in failures.items():
        # An exception without a message (KeyError()) still has a type;
        # to_dict() works for failures loaded back from persistence too.
        kind = failure.to_dict()['exc_type_names'][0]
        reason = failure.exception_str
        if not kind.startswith('octavia_aa.') or not reason:
            # Our own errors say what went wrong; a library's (requests,
            # pyroute2, KeyError()) needs its type to be understood.
            kind = kind.rsplit('.', 1)[-1]
            reason = '%s: %s' % (kind, reason) if reason else kind
        text = '%s failed: %s' % (atom, reason)
        return text[:FAULT_LEN]
    return 'Flow reverted.'
