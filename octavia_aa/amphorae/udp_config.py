"""The UDP part of a load balancer's desired configuration, as the
document the amphora agent's UDP service installs (PUT
/v1/loadbalancers/{lb}/udp; amphorae/backends/agent/udp_service.py).

Input is lb_config.build's dict, like the HAProxy renderer's, so both
halves of an amphora's configuration come from the same snapshot.
"""
from octavia_aa.common import constants as c

# nftables NAT serves these in the amphora (backends/agent/udp.py).
PROTOCOLS = (c.PROTOCOL_UDP,)
ALGORITHMS = ('ROUND_ROBIN', 'SOURCE_IP')
# Upstream's persistence timeout of a UDP pool when none is given.
DEFAULT_PERSISTENCE_TIMEOUT = 360


def _member(m):
    return {'id': m['id'], 'address': m['ip_address'],
            'port': m['protocol_port'],
            'weight': 1 if m.get('weight') is None else m['weight'],
            'backup': bool(m.get('backup')),
            'enabled': m.get('enabled', True) is not False,
            'monitor_address': m.get('monitor_address'),
            'monitor_port': m.get('monitor_port')}


def _monitor(hm):
    if not hm:
        return None
    return {k: hm.get(k) for k in (
        'type', 'delay', 'timeout', 'max_retries', 'max_retries_down',
        'url_path', 'http_method', 'expected_codes', 'domain_name')} | {
        'enabled': hm.get('enabled', True) is not False}


def _persistence(pool):
    sp = pool.get('session_persistence') or {}
    if sp.get('type') != 'SOURCE_IP':
        return None
    return {'timeout': sp.get('persistence_timeout') or
            DEFAULT_PERSISTENCE_TIMEOUT,
            'granularity': sp.get('persistence_granularity')}


def _pool(pool):
    return {'id': pool['id'], 'algorithm': pool['lb_algorithm'],
            'enabled': pool.get('enabled', True) is not False,
            'persistence': _persistence(pool),
            'members': [_member(m) for m in pool.get('members', [])],
            'monitor': _monitor(pool.get('health_monitor'))}


def build(config):
    """{"vip", "enabled", "listeners": [{"id", "port", "enabled",
    "pool"}]}; listeners empty when the load balancer has no UDP one."""
    lb = config['load_balancer']
    pools = {p['id']: p for p in config.get('pools', [])}
    listeners = []
    for lst in config.get('listeners', []):
        if lst['protocol'] not in PROTOCOLS:
            continue
        pool = pools.get(lst.get('default_pool_id'))
        listeners.append({'id': lst['id'], 'port': lst['protocol_port'],
                          'enabled': lst.get('enabled', True) is not False,
                          'allowed_cidrs': list(lst.get('allowed_cidrs')
                                                or []),
                          'connection_limit': lst.get('connection_limit'),
                          'pool': _pool(pool) if pool else None})
    return {'vip': lb.get('vip_address'),
            'enabled': lb.get('enabled', True) is not False,
            'listeners': listeners}
