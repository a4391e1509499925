"""oslo.policy enforcement with the defaults of octavia_aa.policies."""
import threading

from oslo_policy import policy as oslo_policy

from octavia_aa.common import config
from octavia_aa.common import exceptions
from octavia_aa import policies

CONF = config.CONF
_lock = threading.Lock()
_enforcer = None


def get_enforcer():
    global _enforcer
    with _lock:
        if _enforcer is None:
            _enforcer = oslo_policy.Enforcer(CONF)
            _enforcer.register_defaults(policies.list_rules())
            _enforcer.load_rules()
        return _enforcer


def reset():
    global _enforcer
    with _lock:
        _enforcer = None


def authorize(context, resource, action, project_id=None, do_raise=True):
    """Check `resource:action` for an object of project_id (default: the
    caller's own project)."""
    target = {'project_id': project_id if project_id is not None
              else context.project_id}
    creds = context.to_policy_values()
    creds['is_admin'] = context.is_admin
    allowed = get_enforcer().enforce(
        policies.rule_name(resource, action), target, creds)
    if not allowed and do_raise:
        raise exceptions.PolicyForbidden()
    return allowed
