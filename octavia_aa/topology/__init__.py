"""One strategy object per load-balancer topology (DESIGN.md "Topology as
a strategy").  Callers ask `get(lb.topology)` once and use what it
answers; no other module branches on the topology name."""
import functools

from octavia_aa.common import constants as c


@functools.lru_cache(maxsize=None)
def get(name):
    # Imported here: the strategies build flows out of worker tasks, and
    # worker modules import this package.
    from octavia_aa.topology import active_active
    from octavia_aa.topology import active_standby
    from octavia_aa.topology import single
    strategies = {c.TOPOLOGY_SINGLE: single.Single,
                  c.TOPOLOGY_ACTIVE_STANDBY: active_standby.ActiveStandby,
                  c.TOPOLOGY_ACTIVE_ACTIVE: active_active.ActiveActive}
    try:
        return strategies[name]()
    except KeyError:
        raise ValueError('unknown topology %r' % (name,))
