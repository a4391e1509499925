"""oslo.policy enforcement with the defaults of octavia_aa.policies."""
import threading
import time

from oslo_policy import policy as oslo_policy

from octavia_aa import policies
from octavia_aa.common import config
from octavia_aa.common import exceptions

CONF = config.CONF
_lock = threading.Lock()
_enforcer = None
# Decisions are memoized: oslo.policy re-reads its rule files and inspects
# every check's signature on each call (~1.5 ms for our rule tree), while a
# decision depends only on the rule, the target project and the caller's
# credentials.  Rules are reloaded at most once a second and the memo is
# dropped whenever they change, so a policy file edit still takes effect.
_RELOAD_EVERY = 1.0
_MAX_MEMO = 10000
_memo = {}
_memo_rules = None
_next_reload = 0.0


def get_enforcer():
    global _enforcer
    with _lock:
        if _enforcer is None:
            _enforcer = oslo_policy.Enforcer(CONF)
            _enforcer.register_defaults(policies.list_rules())
            _enforcer.load_rules()
        return _enforcer


def reset():
    global _enforcer, _memo_rules, _next_reload
    with _lock:
        _enforcer = None
        _memo.clear()
        _memo_rules = None
        _next_reload = 0.0


def _hashable(value):
    if isinstance(value, (list, tuple, set)):
        return tuple(sorted(map(str, value)))
    if isinstance(value, dict):
        return tuple(sorted((k, _hashable(v)) for k, v in value.items()))
    return value


def _fresh_rules(enforcer):
    global _memo_rules, _next_reload
    now = time.monotonic()
    if now >= _next_reload:
        enforcer.load_rules()
        _next_reload = now + _RELOAD_EVERY
    if enforcer.rules is not _memo_rules or len(_memo) > _MAX_MEMO:
        _memo.clear()
        _memo_rules = enforcer.rules


def authorize(context, resource, action, project_id=None, do_raise=True):
    """Check `resource:action` for an object of project_id (default: the
    caller's own project)."""
    target = {'project_id': project_id if project_id is not None
              else context.project_id}
    creds = context.to_policy_values()
    creds['is_admin'] = context.is_admin
    rule = policies.rule_name(resource, action)
    enforcer = get_enforcer()
    _fresh_rules(enforcer)
    key = (rule, target['project_id'], _hashable(dict(creds)))
    allowed = _memo.get(key)
    if allowed is None:
        allowed = bool(enforcer.enforce(rule, target, creds))
        _memo[key] = allowed
    if not allowed and do_raise:
        raise exceptions.PolicyForbidden()
    return allowed
