"""Kernel side: nftables tables per VIP interface and VIP addresses.

``apply()`` takes the complete desired state and converges the kernel to
it, so calling it twice is harmless and a restarted agent converges to
the very same tables.  ``apply_lb()``/``remove_lb()`` change one load
balancer with a transaction that names only its objects; when only slot
owners or dead amphorae changed (failover, registration), only the
changed map elements are rewritten.
"""
import fcntl
import ipaddress
import json
import logging
import socket
import struct
import subprocess
import threading

from distributor_agent import nftlib
from distributor_agent import ruleset

LOG = logging.getLogger(__name__)
SIOCGIFHWADDR = 0x8927


class DataplaneError(RuntimeError):
    pass


class Dataplane:

    def __init__(self, nft=None):
        self.nft = nft or nftlib.Nft()
        # Guards _applied and table creation/removal; held for one
        # transaction at a time, never across a whole agent change.
        self._lock = threading.Lock()
        self._applied = {}    # interface -> (mac, {lb_id: LbRules})

    # -- interfaces -------------------------------------------------------
    # Plain ioctl and ``ip``: pyroute2 would add ~10 MB to the agent's RSS
    # for the handful of rare calls below.
    @staticmethod
    def interface_mac(interface):
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as s:
            try:
                info = fcntl.ioctl(s.fileno(), SIOCGIFHWADDR, struct.pack(
                    '256s', interface.encode()[:15]))
            except OSError:
                raise DataplaneError('no interface %s' % interface)
        return ':'.join('%02x' % b for b in info[18:24])

    @classmethod
    def interfaces(cls):
        out = {}
        for _, name in socket.if_nameindex():
            try:
                out[name] = cls.interface_mac(name)
            except DataplaneError:
                pass      # vanished meanwhile
        return out

    # -- VIP addresses (stand-alone mode; keepalived owns them with VRRP) -
    @staticmethod
    def _ip(*args):
        return subprocess.run(('ip',) + args, capture_output=True,
                              text=True)

    def add_vip(self, interface, vip):
        ip = ipaddress.ip_address(vip)
        args = ['addr', 'add', '%s/%d' % (ip, ip.max_prefixlen), 'dev',
                interface]
        if ip.version == 6:
            # No DAD: the VIP is ours by contract, and DAD would delay it.
            args.append('nodad')
        r = self._ip(*args)
        if r.returncode == 0:
            return True
        if 'exists' in r.stderr or 'already assigned' in r.stderr:
            return False
        raise DataplaneError('cannot add %s to %s: %s'
                             % (vip, interface, r.stderr.strip()))

    def remove_vip(self, interface, vip):
        ip = ipaddress.ip_address(vip)
        r = self._ip('addr', 'del', '%s/%d' % (ip, ip.max_prefixlen),
                     'dev', interface)
        return r.returncode == 0    # absent already is fine

    @classmethod
    def addresses(cls, interface=None):
        args = ['-j', 'addr', 'show'] + (['dev', interface] if interface
                                         else [])
        r = cls._ip(*args)
        if r.returncode:
            return []
        return [a['local'] for link in json.loads(r.stdout or '[]')
                for a in link.get('addr_info', [])]

    # -- nftables ---------------------------------------------------------
    def _kernel_objects(self, table):
        try:
            objs = self.nft.json('list table netdev %s' % table)
        except nftlib.NftError:
            return None
        found = set()
        for obj in objs:
            for kind in ('chain', 'set', 'map'):
                if kind in obj:
                    found.add((kind, obj[kind]['name']))
        return found

    def our_tables(self):
        tables = self.nft.json('list tables netdev')
        return {t['table']['name'] for t in tables if 'table' in t
                and t['table']['name'].startswith(ruleset.TABLE_PREFIX)}

    def apply(self, desired, macs):
        """Converge every VIP interface (start, restart, tests).

        desired: {interface: [LbRules]}; macs: {interface: its MAC}.
        """
        with self._lock:
            for interface in set(self._applied) - set(desired):
                self._drop(interface)
            for interface, lbs in desired.items():
                self._converge(interface, macs[interface], lbs)

    def apply_lb(self, interface, mac, rules):
        """Converge one load balancer, in one transaction that names only
        its own objects (and its VIP's dispatch element): the cost does
        not depend on how many others share the interface, and their
        tables and pins are never rewritten."""
        with self._lock:
            self._remove_elsewhere(rules.lb_id, interface)
            prev = self._applied.get(interface)
            if prev is None or prev[0] != mac:
                lbs = dict(prev[1]) if prev else {}
                lbs[rules.lb_id] = rules
                self._converge(interface, mac, list(lbs.values()))
                return
            self._run_or_rebuild(interface, mac, ruleset.lb_change(
                interface, mac, prev[1].get(rules.lb_id), rules),
                dict(prev[1], **{rules.lb_id: rules}))

    def remove_lb(self, lb_id):
        with self._lock:
            self._remove_elsewhere(lb_id, None)

    def _remove_elsewhere(self, lb_id, interface):
        for other, (mac, lbs) in list(self._applied.items()):
            if other == interface or lb_id not in lbs:
                continue
            rest = {k: v for k, v in lbs.items() if k != lb_id}
            if not rest:
                self._drop(other)
            else:
                self._run_or_rebuild(other, mac, ruleset.lb_change(
                    other, mac, lbs[lb_id], None), rest)

    def forget(self):
        """Next apply() rebuilds from the kernel listing (after restart)."""
        with self._lock:
            self._applied.clear()

    def remove_stale_tables(self, keep_interfaces):
        keep = {ruleset.table_name(i) for i in keep_interfaces}
        with self._lock:
            for table in self.our_tables() - keep:
                self.nft.run('delete table netdev %s' % table)

    def _drop(self, interface):
        table = ruleset.table_name(interface)
        if self._kernel_objects(table) is not None:
            self.nft.run('delete table netdev %s' % table)
        self._applied.pop(interface, None)

    def _converge(self, interface, mac, lbs):
        if not lbs:
            self._drop(interface)
            return
        prev = self._applied.get(interface)
        new = {lb.lb_id: lb for lb in lbs}
        if prev and prev[0] == mac:
            # Known table: only what changed, load balancer by load
            # balancer (removals first: a VIP may pass to another one).
            cmds = []
            for lb_id in set(prev[1]) - set(new):
                cmds += ruleset.lb_change(interface, mac, prev[1][lb_id],
                                          None)
            for lb in lbs:
                cmds += ruleset.lb_change(interface, mac,
                                          prev[1].get(lb.lb_id), lb)
            self._run_or_rebuild(interface, mac, cmds, new)
            return
        table = ruleset.table_name(interface)
        existing = self._kernel_objects(table) or set()
        self._run_or_rebuild(interface, mac, ruleset.render(
            interface, mac, lbs, existing - ruleset.wanted_objects(lbs)), new)

    def _run_or_rebuild(self, interface, mac, cmds, lbs):
        """Run ``cmds``; then ``lbs`` ({lb_id: LbRules}) is the table."""
        if cmds:
            try:
                self.nft.run('\n'.join(cmds))
            except nftlib.NftError as exc:
                # An object we cannot converge in place (e.g. changed by
                # hand): rebuild the table; pinned flows are lost once.
                table = ruleset.table_name(interface)
                LOG.warning('Rebuilding table %s: %s', table, exc)
                self.nft.run('\n'.join(
                    ['add table netdev %s' % table,
                     'delete table netdev %s' % table] +
                    ruleset.render(interface, mac, list(lbs.values()))))
        self._applied[interface] = (mac, lbs)

    def purge_pins(self, interface, lb, macs):
        """Delete pinned flows that point at ``macs`` (dead or removed
        amphorae); returns how many.

        Without this a pin to a dead amphora would outlive it: the dead
        set makes such flows re-hash, but their packets keep refreshing
        the stale pin, which would send them back the moment the amphora
        is activated again, or blackhole them once its MAC leaves the dead
        set.  Best effort and after the failover itself.
        """
        table = ruleset.table_name(interface)
        macs = set(macs)
        for attempt in range(3):
            try:
                objs = self.nft.json('list map netdev %s %s'
                                     % (table, lb.flows_map), terse=False)
            except nftlib.NftError:
                return 0
            elements = []
            for obj in objs:
                if 'map' in obj:
                    elements = obj['map'].get('elem', [])
            keys = ruleset.pins_to(elements, macs)
            if not keys:
                return 0
            try:
                # No dataplane lock: pins are this load balancer's own
                # elements, and a big purge must not hold up a failover
                # of another one between two chunks.
                for i in range(0, len(keys), 1000):
                    self.nft.run(ruleset.delete_pins(
                        table, lb, keys[i:i + 1000]))
                return len(keys)
            except nftlib.NftError as exc:
                # An entry expired between listing and deleting: retry.
                LOG.info('purging pins of %s: %s (attempt %d)', lb.lb_id,
                         exc, attempt + 1)
        return 0

    def counters(self, interface, lb):
        """Packets/bytes the VIP's chain saw, and pinned flow count."""
        table = ruleset.table_name(interface)
        out = {'packets': 0, 'bytes': 0, 'dropped_packets': 0}
        try:
            objs = self.nft.json('list chain netdev %s lb_%s'
                                 % (table, lb.tag))
        except nftlib.NftError:
            return out
        seen = 0
        for obj in objs:
            rule = obj.get('rule')
            if not rule:
                continue
            for stmt in rule.get('expr', []):
                if 'counter' in stmt:
                    if seen == 0:
                        out['packets'] = stmt['counter']['packets']
                        out['bytes'] = stmt['counter']['bytes']
                    else:
                        out['dropped_packets'] = stmt['counter']['packets']
                    seen += 1
        return out
