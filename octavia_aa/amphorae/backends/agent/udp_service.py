"""The UDP listeners of every load balancer on this amphora: the
documents the controller sent (``<state_dir>/udp/<lb_id>.json``, made
by octavia_aa/amphorae/udp_config.py), their nftables tables (udp.py)
and the members' health (udp_health.py), reported in heartbeats like
HAProxy's listeners and pools."""
import os
import threading

from octavia_aa.amphorae.backends.agent import errors
from octavia_aa.amphorae.backends.agent import haproxy
from octavia_aa.amphorae.backends.agent import udp
from octavia_aa.amphorae.backends.agent import udp_health
from octavia_aa.common import wire


def check_doc(doc):
    if not isinstance(doc, dict) or not isinstance(
            doc.get('listeners', []), list):
        raise errors.BadRequest('UDP document must be an object with a '
                                'listeners list')
    for lst in doc.get('listeners', []):
        if not isinstance(lst, dict) or 'id' not in lst or \
                not isinstance(lst.get('port'), int):
            raise errors.BadRequest('every UDP listener needs id and port')
        for m in (lst.get('pool') or {}).get('members', []):
            if not {'id', 'address', 'port'} <= set(m):
                raise errors.BadRequest('every member needs id, address, '
                                        'port')
    return doc


class UdpService:

    def __init__(self, state_dir):
        self.dir = os.path.join(state_dir, 'udp')
        os.makedirs(self.dir, mode=0o700, exist_ok=True)
        self.lock = threading.Lock()
        self.prober = udp_health.Prober(self._member_changed)
        self.prober.start()

    def _path(self, lb_id):
        return os.path.join(self.dir, haproxy.check_name(
            lb_id, 'load balancer id') + '.json')

    def docs(self):
        out = {}
        for name in sorted(os.listdir(self.dir)):
            if name.endswith('.json'):
                doc = udp.load(os.path.join(self.dir, name))
                if doc is not None:
                    out[name[:-5]] = doc
        return out

    def get(self, lb_id):
        doc = udp.load(self._path(lb_id))
        if doc is None:
            raise errors.NotFound('no UDP listeners on load balancer %s'
                                  % lb_id)
        return doc

    def put(self, lb_id, doc):
        check_doc(doc)
        if not doc.get('listeners'):
            return self.delete(lb_id)
        path = self._path(lb_id)
        with self.lock:
            if udp.load(path) == doc:
                return {'message': 'unchanged'}
            self.prober.set_doc(lb_id, doc)
            udp.enable_forwarding(doc)
            udp.nft(udp.full(lb_id, doc, self.prober.status(lb_id, doc)))
            udp.save(path, doc)
        return {'message': 'applied'}

    def delete(self, lb_id):
        path = self._path(lb_id)
        with self.lock:
            doc = udp.load(path)
            self.prober.set_doc(lb_id, None)
            if doc is not None:
                fam, _ = udp.family(doc)
                t = '%s %s' % (fam, udp.table_name(lb_id))
                udp.nft(['add table %s' % t, 'delete table %s' % t])
                os.unlink(path)
        return {'message': 'deleted'}

    def restore(self):
        """After an agent restart: the tables are still in the kernel;
        rebuild them from the documents (the prober starts afresh)."""
        for lb_id, doc in self.docs().items():
            with self.lock:
                self.prober.set_doc(lb_id, doc)
                udp.nft(udp.full(lb_id, doc, self.prober.status(lb_id, doc)),
                        check=False)

    def _member_changed(self, lb_id, went_down):
        with self.lock:
            doc = udp.load(self._path(lb_id))
            if doc is None:
                return
            udp.nft(udp.rules(lb_id, doc, self.prober.status(lb_id, doc)))
        if went_down:
            mark = udp.member_numbers(doc)[went_down['id']]
            udp.forget_flows([(mark, went_down['address'],
                               went_down['port'])])

    def collect(self):
        """Heartbeat entries (health.collect's shape) of UDP listeners
        and pools; counters are absolute, flows started as totconns."""
        listeners, pools = {}, {}
        for lb_id, doc in self.docs().items():
            status = self.prober.status(lb_id, doc)
            flows = udp.counters(lb_id, doc)
            for lst in doc.get('listeners', []):
                listeners[lst['id']] = {
                    'status': wire.LISTENER_OPEN,
                    'stats': {'rx': 0, 'tx': 0, 'conns': 0, 'ereq': 0,
                              'totconns': flows.get(lst['id'], 0)}}
                pool = lst.get('pool')
                if not pool:
                    continue
                members = {m['id']: status[m['id']]
                           for m in pool.get('members', [])}
                alive = udp.live_members(pool, status)
                pools[pool['id']] = {
                    'status': wire.POOL_UP if alive else wire.POOL_DOWN,
                    'members': members}
        return listeners, pools
