"""One strategy object per load-balancer topology (DESIGN.md "Topology as
a strategy").  Callers ask `get(lb.topology)` once and use what it
answers; no other module branches on the topology name.

A strategy only decides (roles, sizes, how the VIP is held, peer groups,
what a failover replaces, status roll-up, what it serves); it builds
nothing.  The worker's flows (controller/worker/flows/) turn its
answers into Taskflow atoms, so this package imports nothing from the
controller."""
import functools

from octavia_aa.common import constants as c
from octavia_aa.topology import active_active
from octavia_aa.topology import active_standby
from octavia_aa.topology import base
from octavia_aa.topology import single

# How a topology holds its VIP on the wire (Topology.vip_holder).
VIP_BY_AMPHORA = base.VIP_BY_AMPHORA
VIP_BY_VRRP = base.VIP_BY_VRRP
VIP_BY_DISTRIBUTOR = base.VIP_BY_DISTRIBUTOR

_STRATEGIES = {c.TOPOLOGY_SINGLE: single.Single,
               c.TOPOLOGY_ACTIVE_STANDBY: active_standby.ActiveStandby,
               c.TOPOLOGY_ACTIVE_ACTIVE: active_active.ActiveActive}


@functools.lru_cache(maxsize=None)
def get(name):
    try:
        return _STRATEGIES[name]()
    except KeyError:
        raise ValueError('unknown topology %r' % (name,))
