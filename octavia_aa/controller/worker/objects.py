"""The user-facing objects a flow works on, by the names RPC casts use."""
from octavia_aa.db import models

MODELS = {
    'load_balancer': models.LoadBalancer,
    'listener': models.Listener,
    'pool': models.Pool,
    'member': models.Member,
    'health_monitor': models.HealthMonitor,
    'l7policy': models.L7Policy,
    'l7rule': models.L7Rule,
}


def load_balancer_of(obj):
    """The load balancer an object belongs to, walking up its parents."""
    for parent in ('load_balancer', 'pool', 'listener', 'l7policy'):
        if hasattr(obj, parent):
            up = getattr(obj, parent)
            return up if parent == 'load_balancer' else load_balancer_of(up)
    raise TypeError('%r has no load balancer' % obj)
