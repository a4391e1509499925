"""The whole desired configuration of a load balancer, as one JSON-able
dict: what `AmphoraDriver.update_config` installs.

Objects on their way out (PENDING_DELETE, DELETED) are left out, so a
delete flow pushes the configuration without them before it drops rows.
"""
import sqlalchemy as sa

from octavia_aa.common import constants as c

_SKIP = {'created_at', 'updated_at', 'description', 'fault', 'tags'}
_GONE = (c.PENDING_DELETE, c.DELETED)


def _columns(obj):
    return {attr.key: getattr(obj, attr.key)
            for attr in sa.inspect(obj).mapper.column_attrs
            if attr.key not in _SKIP}


def _live(objs):
    return [o for o in objs if o.provisioning_status not in _GONE]


def build(lb):
    vip = lb.vip
    listeners = []
    for lst in _live(lb.listeners):
        entry = _columns(lst)
        entry['l7policies'] = [
            dict(_columns(pol), rules=[_columns(r) for r in _live(pol.rules)])
            for pol in _live(lst.l7policies)]
        listeners.append(entry)
    pools = []
    for pool in _live(lb.pools):
        entry = _columns(pool)
        entry['members'] = [_columns(m) for m in _live(pool.members)]
        hm = pool.health_monitor
        entry['health_monitor'] = (_columns(hm) if hm is not None and
                                   hm.provisioning_status not in _GONE
                                   else None)
        pools.append(entry)
    return {'load_balancer': {'id': lb.id, 'enabled': lb.enabled,
                              'topology': lb.topology,
                              'vip_address': vip.ip_address if vip else None},
            'listeners': listeners, 'pools': pools}
