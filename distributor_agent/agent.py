"""The distributor: registrations -> slot tables -> kernel, and back.

A change of a load balancer holds that load balancer's lock only,
converges its own kernel objects, then writes the state file, so the file
always holds a state the kernel accepted and a restart converges to it.
Changes of different load balancers run side by side: the prober fails an
amphora of one while another is being created, and never waits for it.

Locks, always taken in this order and never the other way round:
  per load balancer   a whole change of that load balancer
  _vrrp_lock          one keepalived update (it reads the registry)
  self.lock           the registry (which load balancers exist, their
                      VIPs, what is published); dictionary work only
  _save_lock, _stats_lock   one short step each
"""
import contextlib
import logging
import threading
import time

from distributor_agent import dataplane as dp_mod
from distributor_agent import errors
from distributor_agent import prober_settings
from distributor_agent import ruleset
from distributor_agent import slots
from distributor_agent import state
from distributor_agent import views
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)


class Agent(views.StatusViews):

    def __init__(self, conf, dataplane=None):
        self.conf = conf
        self.opts = conf.distributor_agent
        self.lock = threading.RLock()
        self._lb_locks = {}            # lb_id -> Lock of its changes
        self._vrrp_lock = threading.Lock()
        self._save_lock = threading.Lock()
        self._stats_lock = threading.Lock()
        self.dp = dataplane or dp_mod.Dataplane()
        self.lbs = state.load(self.opts.state_file)
        # What the state file holds: the last state of each load balancer
        # that the kernel accepted (another one's change may be half-way).
        self._saved = {k: state.encode(v) for k, v in self.lbs.items()}
        # Per load balancer, as last committed: read without its lock by
        # the prober and the heartbeat, so they never wait for a change.
        self._published = {}
        self.vrrp = None               # keepalived.Supervisor when enabled
        self.pin_sync = None           # pinsync.PinSync with VRRP and a key
        self._listeners = []           # called after every change
        self._misses = {}              # (lb_id, amp_id) -> consecutive
        self._probes = {}              # (lb_id, amp_id) -> counters
        self.prober = prober_settings.load(conf)
        self.started = time.time()

    def set_prober(self, settings):
        if settings != self.prober:
            LOG.info('prober settings from the controller: %s', settings)
            prober_settings.save(self.opts.state_file, settings)
            self.prober = dict(settings)

    # -- lifecycle --------------------------------------------------------
    @contextlib.contextmanager
    def _changing(self, lb_id, blocking=True):
        """Hold ``lb_id``'s change lock; yields False if not blocking
        and another change of it is running."""
        with self.lock:
            lock = self._lb_locks.setdefault(lb_id, threading.Lock())
        got = lock.acquire(blocking)
        try:
            yield got
        finally:
            if got:
                lock.release()

    def on_change(self, callback):
        self._listeners.append(callback)

    def changed(self):
        """Something listeners must hear of now (a VRRP transition)."""
        self._notify()

    def _notify(self):
        for cb in self._listeners:
            try:
                cb()
            except Exception:
                LOG.exception('change listener failed')

    def restore(self):
        """Converge the kernel to the state file (start or restart)."""
        if self.opts.manage_sysctls:
            for name, value in (('all/arp_ignore', '1'),
                                ('all/arp_announce', '2')):
                with open('/proc/sys/net/ipv4/conf/%s' % name, 'w') as f:
                    f.write(value)
        with self.lock:
            self.dp.forget()
            self.dp.remove_stale_tables({lb.interface
                                         for lb in self.lbs.values()})
            self._converge_all()
            if not self.vrrp:
                for lb in self.lbs.values():
                    self.dp.add_vip(lb.interface, lb.vip_address)

    def vip_bindings(self):
        with self.lock:
            return sorted((lb.vip_address, lb.interface)
                          for lb in self.lbs.values())

    # -- tables -----------------------------------------------------------
    def _rules(self, lb):
        by_pos = {a.position: a for a in lb.amphorae.values()}
        active = [a.position for a in by_pos.values()
                  if a.role == wire.SLOT_ACTIVE]
        down = [a.position for a in by_pos.values()
                if a.role == wire.SLOT_ACTIVE and (a.failed or a.draining)]
        standby = [a.position for a in by_pos.values()
                   if a.role == wire.SLOT_STANDBY and
                   not (a.failed or a.draining)]
        table = slots.compute(self.opts.slots, active, down, standby)
        return ruleset.LbRules(
            lb_id=lb.id, vip=lb.vip_address, affinity=lb.affinity,
            macs=[by_pos[p].mac for p in table],
            dead=sorted({a.mac for a in lb.amphorae.values() if a.failed} |
                        set(lb.retired)),
            slots=self.opts.slots, seed=self.opts.hash_seed,
            flow_timeout=self.opts.flow_timeout,
            flow_size=self.opts.flow_table_size)

    def _converge_all(self):
        """Every load balancer in one go (start): one transaction per
        interface."""
        desired, macs = {}, {}
        for lb in self.lbs.values():
            desired.setdefault(lb.interface, []).append(self._rules(lb))
        for interface in list(desired):
            try:
                macs[interface] = self.dp.interface_mac(interface)
            except dp_mod.DataplaneError:
                # Interface gone (e.g. port detached while we were down):
                # serve the others rather than fail to start at all.
                LOG.error('interface %s is missing: load balancers %s not '
                          'served', interface,
                          [r.lb_id for r in desired.pop(interface)])
        self.dp.apply(desired, macs)
        rules = {r.lb_id: r for lbs in desired.values() for r in lbs}
        for lb in self.lbs.values():
            self._publish(lb, rules.get(lb.id) or self._rules(lb))

    def _converge(self, lb_id):
        lb = self.lbs.get(lb_id)
        if lb is None:
            self.dp.remove_lb(lb_id)
            with self.lock:
                self._published.pop(lb_id, None)
            return
        rules = self._rules(lb)
        try:
            mac = self.dp.interface_mac(lb.interface)
        except dp_mod.DataplaneError:
            LOG.error('interface %s is missing: load balancer %s not '
                      'served', lb.interface, lb_id)
            self.dp.remove_lb(lb_id)
        else:
            self.dp.apply_lb(lb.interface, mac, rules)
        self._publish(lb, rules)

    def _publish(self, lb, rules):
        published = {
            'rules': rules,
            'targets': [(lb.id, a.id, a.ip, lb.probe_port)
                        for a in lb.amphorae.values()],
            'heartbeat': {
                'vip': lb.vip_address,
                'digest': slots.digest(rules.macs),
                'amphorae': {a.id: {'position': a.position,
                                    'role': a.role, 'state': a.state,
                                    'failed_at': a.failed_at}
                             for a in lb.amphorae.values()}}}
        with self.lock:
            self._published[lb.id] = published

    def _commit(self, lb_id):
        """Kernel first, then the state file: if applying fails (or even
        aborts the process) the file still holds the last state that
        worked, so a restart cannot loop on a state the kernel refuses.
        Call with ``lb_id``'s change lock held."""
        try:
            self._converge(lb_id)
        except Exception:
            LOG.exception('kernel refused the new state of %s; restoring '
                          'the last saved one', lb_id)
            with self._save_lock:
                saved = self._saved.get(lb_id)
            with self.lock:
                if saved is None:
                    self.lbs.pop(lb_id, None)
                else:
                    self.lbs[lb_id] = state.decode(saved)
            try:
                self._converge(lb_id)
            except Exception:
                LOG.exception('restoring the saved state failed too')
            raise
        lb = self.lbs.get(lb_id)
        with self._save_lock:
            if lb is None:
                self._saved.pop(lb_id, None)
            else:
                self._saved[lb_id] = state.encode(lb)
            state.save(self.opts.state_file, self._saved)

    def _lb(self, lb_id):
        lb = self.lbs.get(lb_id)
        if lb is None:
            raise errors.NotFound('load balancer %s is not plugged here'
                                  % lb_id, load_balancer_id=lb_id)
        return lb

    @staticmethod
    def _macs(lb):
        return {a.mac for a in lb.amphorae.values()}

    def _retire(self, lb, before):
        """Remember MACs that left the registrations; returns them."""
        now = self._macs(lb)
        for mac in now:
            lb.retired.pop(mac, None)
        gone = before - now
        for mac in gone:
            lb.retired[mac] = time.time()
        return gone

    def _purge(self, jobs):
        """Drop pinned flows to dead/removed MACs (outside the lock: it
        is cleanup after the slots already moved)."""
        for interface, rules, macs in jobs:
            try:
                n = self.dp.purge_pins(interface, rules, macs)
                if n:
                    LOG.info('purged %d pinned flows of %s', n, rules.lb_id)
            except Exception:
                LOG.exception('purging pinned flows of %s failed',
                              rules.lb_id)

    def _expire_retired(self, lb):
        limit = time.time() - self.opts.flow_timeout
        changed = False
        for mac, when in list(lb.retired.items()):
            if when < limit:
                del lb.retired[mac]
                changed = True
        return changed

    def _committed_rules(self, lb):
        """``lb``'s rules as last committed: its current state when its
        change lock is held (saves recomputing the slot table)."""
        with self.lock:
            got = self._published.get(lb.id)
        return got['rules'] if got else self._rules(lb)

    def _answer(self, lb):
        rules = self._committed_rules(lb)
        owned = slots.shares(rules.macs)
        amps = []
        for a in lb.by_position():
            view = a.view()
            view['slots'] = owned.get(a.mac, 0)
            amps.append(view)
        return {'load_balancer_id': lb.id, 'amphorae': amps,
                'digest': slots.digest(rules.macs),
                'slots': self.opts.slots}

    # -- VIPs -------------------------------------------------------------
    def _interface(self, body):
        names = self.dp.interfaces()
        if body.get('interface'):
            if body['interface'] not in names:
                raise errors.BadRequest('interface', 'no such interface')
            return body['interface']
        if body.get('mac_address'):
            for name, mac in names.items():
                if (mac or '').lower() == body['mac_address'].lower():
                    return name
            raise errors.BadRequest('mac_address',
                                    'no interface has this MAC address')
        if self.opts.vip_interface:
            return self.opts.vip_interface
        raise errors.BadRequest('mac_address', 'required: no default '
                                'vip_interface is configured')

    def _update_vrrp(self):
        # Bindings read under the lock: of two concurrent changes, the
        # last to write keepalived's configuration has both.
        with self._vrrp_lock:
            self.vrrp.update(self.vip_bindings())

    def plug_vip(self, lb_id, body):
        if body.get('prober'):
            self.set_prober(body['prober'])
        with self._changing(lb_id):
            interface = self._interface(body)
            old = self.lbs.get(lb_id)
            lb = state.LoadBalancer(
                id=lb_id, vip_address=body['vip_address'],
                interface=interface,
                affinity=body.get('affinity', 'SOURCE_IP'),
                probe_port=body.get('probe_port',
                                    self.opts.default_probe_port),
                subnet_cidr=body.get('subnet_cidr'),
                gateway=body.get('gateway'),
                amphorae=old.amphorae if old else {},
                retired=old.retired if old else {})
            with self.lock:
                for other in self.lbs.values():
                    if other.id != lb_id and \
                            other.vip_address == lb.vip_address:
                        raise errors.BadRequest(
                            'vip_address', 'already plugged for load '
                            'balancer %s' % other.id)
                self.lbs[lb_id] = lb
            self._commit(lb_id)
            if old and (old.vip_address, old.interface) != (
                    lb.vip_address, lb.interface) and not self.vrrp:
                self.dp.remove_vip(old.interface, old.vip_address)
            if self.vrrp:
                self._update_vrrp()
            else:
                self.dp.add_vip(lb.interface, lb.vip_address)
            view = self._view(lb)
        self._notify()
        return view

    def unplug_vip(self, lb_id):
        with self._changing(lb_id):
            lb = self._lb(lb_id)
            # Stop answering ARP/ND first, then drop the table.
            if self.vrrp:
                with self.lock:
                    del self.lbs[lb_id]
                self._update_vrrp()
            else:
                self.dp.remove_vip(lb.interface, lb.vip_address)
                with self.lock:
                    del self.lbs[lb_id]
            self._commit(lb_id)
            with self._stats_lock:
                for key in [k for k in self._probes if k[0] == lb_id]:
                    self._probes.pop(key, None)
                    self._misses.pop(key, None)
        self._notify()
        return {'load_balancer_id': lb_id, 'unplugged': True}

    # -- amphorae ---------------------------------------------------------
    def register(self, lb_id, amphorae, exclusive=False):
        with self._changing(lb_id):
            lb = self._lb(lb_id)
            before = self._macs(lb)
            listed = {a['id'] for a in amphorae}
            if exclusive:
                for amp_id in set(lb.amphorae) - listed:
                    del lb.amphorae[amp_id]
            for spec in amphorae:
                self._register_one(lb, spec)
            gone = self._retire(lb, before)
            self._commit(lb_id)
            answer = self._answer(lb)
            jobs = [(lb.interface, self._committed_rules(lb), gone)] \
                if gone else []
        self._notify()
        self._purge(jobs)
        return answer

    def _register_one(self, lb, spec):
        current = lb.amphorae.get(spec['id'])
        position = spec.get('position')
        if position is None:
            if current:
                position = current.position
            else:
                used = {a.position for a in lb.amphorae.values()}
                position = next(p for p in range(len(used) + 1)
                                if p not in used)
        if position >= self.opts.max_positions:
            raise errors.BadRequest('amphorae.position', 'must be below %d'
                                    % self.opts.max_positions)
        # Taking a position hands its slots over unchanged: this is how a
        # standby replaces a failed amphora without moving any slot.
        for other in list(lb.amphorae.values()):
            if other.position == position and other.id != spec['id']:
                del lb.amphorae[other.id]
        amp = state.Amphora(id=spec['id'], mac=spec['mac'].lower(),
                            ip=spec['ip'],
                            role=spec.get('role', wire.SLOT_ACTIVE),
                            position=position)
        if current and current.mac == amp.mac:
            # Same machine: it stays failed/drained until activated.
            amp.failed, amp.draining = current.failed, current.draining
            amp.failed_at = current.failed_at
        lb.amphorae[amp.id] = amp

    def unregister(self, lb_id, amphora_ids):
        with self._changing(lb_id):
            lb = self._lb(lb_id)
            before = self._macs(lb)
            for amp_id in amphora_ids:
                lb.amphorae.pop(amp_id, None)
                with self._stats_lock:
                    self._misses.pop((lb_id, amp_id), None)
                    self._probes.pop((lb_id, amp_id), None)
            gone = self._retire(lb, before)
            self._commit(lb_id)
            answer = self._answer(lb)
            jobs = [(lb.interface, self._committed_rules(lb), gone)] \
                if gone else []
        self._notify()
        self._purge(jobs)
        return answer

    def _amp(self, lb_id, amp_id):
        lb = self._lb(lb_id)
        amp = lb.amphorae.get(amp_id)
        if amp is None:
            raise errors.NotFound('amphora %s is not registered' % amp_id,
                                  amphora_id=amp_id)
        return lb, amp

    def drain(self, lb_id, amp_id):
        with self._changing(lb_id):
            lb, amp = self._amp(lb_id, amp_id)
            amp.draining = True
            self._commit(lb_id)
            answer = self._answer(lb)
        self._notify()
        return answer

    def activate(self, lb_id, amp_id):
        """Undo drain and failure: the only way slots move back."""
        with self._changing(lb_id):
            lb, amp = self._amp(lb_id, amp_id)
            amp.draining = amp.failed = False
            amp.failed_at = None
            with self._stats_lock:
                self._misses.pop((lb_id, amp_id), None)
            self._commit(lb_id)
            answer = self._answer(lb)
        self._notify()
        return answer

    # -- probing ----------------------------------------------------------
    def probe_targets(self):
        with self.lock:
            published = list(self._published.values())
        return [t for p in published for t in p['targets']]

    def probe_results(self, results):
        """results: [(lb_id, amp_id, ok)]; fails amphorae at once.

        Returns True while some live amphora has missed a probe, so the
        prober can confirm (or clear) the suspicion sooner.
        """
        fall = self.prober['fall']
        suspect = False
        dead = {}                      # lb_id -> [amp_id]
        with self._stats_lock:
            for lb_id, amp_id, ok in results:
                lb = self.lbs.get(lb_id)
                amp = lb.amphorae.get(amp_id) if lb else None
                if amp is None:
                    continue
                key = (lb_id, amp_id)
                stats = self._probes.setdefault(
                    key, {'ok': 0, 'failed': 0, 'last_ok': None})
                if ok:
                    stats['ok'] += 1
                    stats['last_ok'] = time.time()
                    self._misses[key] = 0
                    continue
                stats['failed'] += 1
                self._misses[key] = self._misses.get(key, 0) + 1
                if not amp.failed and self._misses[key] < fall:
                    suspect = True
                if self._misses[key] >= fall and not amp.failed:
                    dead.setdefault(lb_id, []).append(amp_id)
        # Load balancers whose retired MACs are due to leave the dead set
        # (cleanup: skipped while busy, the next round does it).
        limit = time.time() - self.opts.flow_timeout
        with self.lock:
            lbs = list(self.lbs.items())
        for lb_id, lb in lbs:
            if lb_id not in dead and any(
                    w < limit for w in list(lb.retired.values())):
                dead[lb_id] = None
        # Each load balancer under its own lock; one busy with a change of
        # its own goes last, so it never delays another's failover.
        jobs, busy, changed = [], [], False
        for lb_id in sorted(dead):
            got = self._fail(lb_id, dead[lb_id], jobs, blocking=False)
            if got is None:
                if dead[lb_id] is not None:
                    busy.append(lb_id)
            else:
                changed = got or changed
        for lb_id in busy:
            changed = self._fail(lb_id, dead[lb_id], jobs) or changed
        if changed:
            self._notify()
        self._purge(jobs)
        return suspect

    def _fail(self, lb_id, amp_ids, jobs, blocking=True):
        """Fail ``amp_ids`` of ``lb_id`` (None: only expire retired MACs);
        None if not blocking and busy, else whether anything changed."""
        fall = self.conf.distributor_prober.fall
        with self._changing(lb_id, blocking) as got:
            if not got:
                return None
            lb = self.lbs.get(lb_id)
            if lb is None:
                return False
            macs = set()
            for amp_id in amp_ids or ():
                amp = lb.amphorae.get(amp_id)
                with self._stats_lock:
                    misses = self._misses.get((lb_id, amp_id), 0)
                # Activated or replaced meanwhile: not ours to fail.
                if amp is None or amp.failed or misses < fall:
                    continue
                LOG.warning('Amphora %s (%s) of %s failed %d probes: '
                            'moving its slots', amp_id, amp.ip, lb_id,
                            misses)
                amp.failed = True
                amp.failed_at = time.time()
                macs.add(amp.mac)
            changed = self._expire_retired(lb) or bool(macs)
            if changed:
                self._commit(lb_id)
            if macs:
                jobs.append((lb.interface, self._committed_rules(lb), macs))
            return changed
