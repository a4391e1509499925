"""The distributor: registrations -> slot tables -> kernel, and back.

All mutations take one lock, converge the kernel, then write the state
file, so the file always holds a state the kernel accepted and a restart
converges to it.
"""
import logging
import os
import threading
import time

from distributor_agent import dataplane as dp_mod
from distributor_agent import errors
from distributor_agent import ruleset
from distributor_agent import slots
from distributor_agent import state
from octavia_aa.common import wire

LOG = logging.getLogger(__name__)


class Agent:

    def __init__(self, conf, dataplane=None):
        self.conf = conf
        self.opts = conf.distributor_agent
        self.lock = threading.RLock()
        self.dp = dataplane or dp_mod.Dataplane()
        self.lbs = state.load(self.opts.state_file)
        self.vrrp = None               # keepalived.Supervisor when enabled
        self._listeners = []           # called after every change
        self._misses = {}              # (lb_id, amp_id) -> consecutive
        self._probes = {}              # (lb_id, amp_id) -> counters
        self.started = time.time()

    # -- lifecycle --------------------------------------------------------
    def on_change(self, callback):
        self._listeners.append(callback)

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
            self._converge()
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

    def _converge(self):
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

    def _commit(self):
        """Kernel first, then the state file: if applying fails (or even
        aborts the process) the file still holds the last state that
        worked, so a restart cannot loop on a state the kernel refuses."""
        try:
            self._converge()
        except Exception:
            LOG.exception('kernel refused the new state; restoring the '
                          'last saved one')
            self.lbs = state.load(self.opts.state_file)
            try:
                self._converge()
            except Exception:
                LOG.exception('restoring the saved state failed too')
            raise
        state.save(self.opts.state_file, self.lbs)

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

    def _expire_retired(self):
        limit = time.time() - self.opts.flow_timeout
        changed = False
        for lb in self.lbs.values():
            for mac, when in list(lb.retired.items()):
                if when < limit:
                    del lb.retired[mac]
                    changed = True
        return changed

    def _answer(self, lb):
        rules = self._rules(lb)
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

    def plug_vip(self, lb_id, body):
        with self.lock:
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
            for other in self.lbs.values():
                if other.id != lb_id and other.vip_address == lb.vip_address:
                    raise errors.BadRequest(
                        'vip_address', 'already plugged for load balancer %s'
                        % other.id)
            self.lbs[lb_id] = lb
            self._commit()
            if old and (old.vip_address, old.interface) != (
                    lb.vip_address, lb.interface) and not self.vrrp:
                self.dp.remove_vip(old.interface, old.vip_address)
            if self.vrrp:
                self.vrrp.update(self.vip_bindings())
            else:
                self.dp.add_vip(lb.interface, lb.vip_address)
            view = self._view(lb)
        self._notify()
        return view

    def unplug_vip(self, lb_id):
        with self.lock:
            lb = self._lb(lb_id)
            # Stop answering ARP/ND first, then drop the table.
            if self.vrrp:
                del self.lbs[lb_id]
                self.vrrp.update(self.vip_bindings())
            else:
                self.dp.remove_vip(lb.interface, lb.vip_address)
                del self.lbs[lb_id]
            self._commit()
            for key in [k for k in self._probes if k[0] == lb_id]:
                self._probes.pop(key, None)
                self._misses.pop(key, None)
        self._notify()
        return {'load_balancer_id': lb_id, 'unplugged': True}

    # -- amphorae ---------------------------------------------------------
    def register(self, lb_id, amphorae, exclusive=False):
        with self.lock:
            lb = self._lb(lb_id)
            before = self._macs(lb)
            listed = {a['id'] for a in amphorae}
            if exclusive:
                for amp_id in set(lb.amphorae) - listed:
                    del lb.amphorae[amp_id]
            for spec in amphorae:
                self._register_one(lb, spec)
            gone = self._retire(lb, before)
            self._commit()
            answer = self._answer(lb)
            jobs = [(lb.interface, self._rules(lb), gone)] if gone else []
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
        with self.lock:
            lb = self._lb(lb_id)
            before = self._macs(lb)
            for amp_id in amphora_ids:
                lb.amphorae.pop(amp_id, None)
                self._misses.pop((lb_id, amp_id), None)
                self._probes.pop((lb_id, amp_id), None)
            gone = self._retire(lb, before)
            self._commit()
            answer = self._answer(lb)
            jobs = [(lb.interface, self._rules(lb), gone)] if gone else []
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
        with self.lock:
            lb, amp = self._amp(lb_id, amp_id)
            amp.draining = True
            self._commit()
            answer = self._answer(lb)
        self._notify()
        return answer

    def activate(self, lb_id, amp_id):
        """Undo drain and failure: the only way slots move back."""
        with self.lock:
            lb, amp = self._amp(lb_id, amp_id)
            amp.draining = amp.failed = False
            amp.failed_at = None
            self._misses.pop((lb_id, amp_id), None)
            self._commit()
            answer = self._answer(lb)
        self._notify()
        return answer

    # -- probing ----------------------------------------------------------
    def probe_targets(self):
        with self.lock:
            return [(lb.id, a.id, a.ip, lb.probe_port)
                    for lb in self.lbs.values()
                    for a in lb.amphorae.values()]

    def probe_results(self, results):
        """results: [(lb_id, amp_id, ok)]; fails amphorae at once.

        Returns True while some live amphora has missed a probe, so the
        prober can confirm (or clear) the suspicion sooner.
        """
        fall = self.conf.distributor_prober.fall
        changed = suspect = False
        jobs = []
        with self.lock:
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
                    LOG.warning('Amphora %s (%s) of %s failed %d probes: '
                                'moving its slots', amp_id, amp.ip, lb_id,
                                self._misses[key])
                    amp.failed = True
                    amp.failed_at = time.time()
                    changed = True
                    jobs.append((lb.interface, lb.id, amp.mac))
            changed = self._expire_retired() or changed
            if changed:
                self._commit()
            jobs = [(i, self._rules(self.lbs[lb_id]), {mac})
                    for i, lb_id, mac in jobs]
        if changed:
            self._notify()
        self._purge(jobs)
        return suspect

    # -- status -----------------------------------------------------------
    def _view(self, lb):
        view = self._answer(lb)
        view.update(vip_address=lb.vip_address, interface=lb.interface,
                    affinity=lb.affinity, probe_port=lb.probe_port,
                    subnet_cidr=lb.subnet_cidr, gateway=lb.gateway)
        return view

    def status(self, lb_id=None):
        with self.lock:
            lbs = [self._lb(lb_id)] if lb_id else list(self.lbs.values())
            out = []
            for lb in lbs:
                view = self._view(lb)
                view['counters'] = self.dp.counters(lb.interface,
                                                    self._rules(lb))
                for amp in view['amphorae']:
                    amp['probes'] = dict(self._probes.get(
                        (lb.id, amp['id']),
                        {'ok': 0, 'failed': 0, 'last_ok': None}))
                    amp['probes']['consecutive_failures'] = \
                        self._misses.get((lb.id, amp['id']), 0)
                out.append(view)
        return out[0] if lb_id else out

    def heartbeat_payload(self):
        with self.lock:
            lbs = {}
            for lb in self.lbs.values():
                rules = self._rules(lb)
                lbs[lb.id] = {
                    'vip': lb.vip_address,
                    'digest': slots.digest(rules.macs),
                    'amphorae': {a.id: {'position': a.position,
                                        'role': a.role, 'state': a.state,
                                        'failed_at': a.failed_at}
                                 for a in lb.amphorae.values()}}
        return {'type': wire.DISTRIBUTOR_TYPE,
                'ver': wire.DISTRIBUTOR_MSG_VERSION,
                'id': self.opts.distributor_id,
                'vrrp': self.vrrp.state if self.vrrp else None,
                'load_balancers': lbs}

    def info(self):
        return {'id': self.opts.distributor_id,
                'hostname': os.uname().nodename,
                'api_version': wire.AGENT_API_VERSION,
                'slots': self.opts.slots}

    def details(self):
        with self.lock:
            d = self.info()
            d.update(load_balancers=len(self.lbs),
                     vips=[{'vip_address': v, 'interface': i}
                           for v, i in self.vip_bindings()],
                     vrrp=self.vrrp.details() if self.vrrp else None,
                     uptime=round(time.time() - self.started, 3),
                     rss_kb=_rss_kb())
        return d


def _rss_kb():
    try:
        with open('/proc/self/status') as f:
            for line in f:
                if line.startswith('VmRSS:'):
                    return int(line.split()[1])
    except OSError:
        pass
    return None
