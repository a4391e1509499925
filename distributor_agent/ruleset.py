"""Render the nftables table of one VIP interface (text syntax).

One ``netdev`` table per interface, hooked at ingress on that device only,
so a frame is only ever forwarded back out of the interface it came in on
and load balancers on different interfaces cannot leak into each other.

Shared by the load balancers of the interface:
  vips_ip, vips_ip6  VIP -> jump lb_X    one lookup dispatches a frame
  ingress            chain               whatever the number of VIPs

Per load balancer ``X``:
  slots_X  mark -> ether_addr   the slot table (M elements)
  dead_X   ether_addr set       amphorae found dead: pinned flows leave them
  flows_X  key -> ether_addr    dynamic, with timeout: pins established
                                flows across slot table changes
  lb_X     chain                pinned lookup, else hash -> slot -> MAC

Every transaction is written so that running it twice yields the same
kernel state (``add`` is a no-op on an identical object, maps are
flushed then filled) and the dynamic flow map is never flushed, so
reloading after an agent restart keeps established flows where they are.
A change of one load balancer is one transaction naming only its own
objects and its VIP's dispatch element (``lb_change``), so its cost does
not grow with the number of load balancers on the interface.
"""
import dataclasses
import hashlib
import ipaddress

TABLE_PREFIX = 'oaa_'
AFFINITIES = ('SOURCE_IP', 'SOURCE_IP_PORT')


def table_name(interface):
    return TABLE_PREFIX + interface.replace('.', '_').replace('-', '_')


def lb_tag(lb_id):
    # Stable, short and safe as an nft identifier whatever the id looks like.
    return hashlib.sha256(lb_id.encode()).hexdigest()[:16]


@dataclasses.dataclass
class LbRules:
    lb_id: str
    vip: str
    affinity: str
    macs: list              # slot -> MAC, [] when nothing is registered
    dead: list              # MACs whose pinned flows must be re-hashed
    slots: int
    seed: int
    flow_timeout: int
    flow_size: int

    @property
    def tag(self):
        return lb_tag(self.lb_id)

    @property
    def family(self):
        return 'ip6' if ipaddress.ip_address(self.vip).version == 6 else 'ip'

    @property
    def slots_map(self):
        # M in the name: a map cannot be resized in place, so a new M
        # (configuration change) is a new object and the old one is stale.
        return 'slots_%s_%d' % (self.tag, self.slots)

    @property
    def key(self):
        """(hash expression, pin key expression, flow map key declaration,
        name suffix)."""
        fam = self.family
        if self.affinity != 'SOURCE_IP_PORT':
            expr = '%s saddr' % fam
            return (expr, expr, 'type %s_addr' % ('ipv6' if fam == 'ip6'
                                                  else 'ipv4'), fam[-1] + 's')
        expr = '%s saddr . th sport' % fam
        if fam == 'ip':
            return expr, expr, 'type ipv4_addr . inet_service', 'pp'
        # nft 1.0.6 aborts (register overflow) on a dynamic map update
        # keyed by "ip6 saddr . th sport".  Pin on the interface id (low
        # 64 bits of the source) and the port instead: a rare collision
        # only keeps two flows on one amphora, never splits a flow.
        pin = '@nh,128,64 . th sport'
        return expr, pin, 'typeof %s' % pin, '6p'

    @property
    def flows_map(self):
        return 'flows_%s_%s' % (self.tag, self.key[3])

    @property
    def shape(self):
        """Everything but the map contents: same shape, only elements
        change."""
        return (self.lb_id, self.vip, self.affinity, self.slots, self.seed,
                self.flow_timeout, self.flow_size)

    def object_names(self):
        t = self.tag
        return {('chain', 'lb_' + t), ('map', self.slots_map),
                ('set', 'dead_' + t), ('map', self.flows_map)}


def _elements(pairs):
    return ', '.join(pairs)


def slot_elements(table, lb, old_macs=None):
    """Commands that make ``slots_X`` hold ``lb.macs``.

    With ``old_macs`` only the changed slots are rewritten (delete + add in
    the same transaction, since ``add`` refuses to change an element).
    """
    name = lb.slots_map
    out = []
    if old_macs is None or len(old_macs) != len(lb.macs):
        out.append('flush map netdev %s %s' % (table, name))
        changed = range(len(lb.macs))
    else:
        changed = [i for i, (a, b) in enumerate(zip(old_macs, lb.macs))
                   if a != b]
        if changed:
            out.append('delete element netdev %s %s { %s }' % (
                table, name, _elements(str(i) for i in changed)))
    if changed:
        out.append('add element netdev %s %s { %s }' % (
            table, name,
            _elements('%d : %s' % (i, lb.macs[i]) for i in changed)))
    return out


def _key_text(val):
    if isinstance(val, dict) and 'concat' in val:
        return ' . '.join(_key_text(v) for v in val['concat'])
    return str(val)


def pins_to(elements, macs):
    """Keys (nft text) of flow map elements (JSON) pinned to ``macs``."""
    keys = []
    for key, value in elements:
        if value in macs:
            if isinstance(key, dict) and 'elem' in key:
                key = key['elem']['val']
            keys.append(_key_text(key))
    return keys


def delete_pins(table, lb, keys):
    return 'delete element netdev %s %s { %s }' % (
        table, lb.flows_map, _elements(keys))


def dead_elements(table, lb):
    name = 'dead_' + lb.tag
    out = ['flush set netdev %s %s' % (table, name)]
    if lb.dead:
        out.append('add element netdev %s %s { %s }' % (
            table, name, _elements(sorted(lb.dead))))
    return out


def _vips_map(family):
    return 'vips_' + family


VIPS_MAPS = ('vips_ip', 'vips_ip6')


def skeleton(interface):
    """Commands that (re)create the table, its VIP dispatch maps and the
    ingress chain of ``interface``; run once per table, not per change."""
    t = table_name(interface)
    out = ['add table netdev %s' % t]
    for name, keytype in zip(VIPS_MAPS, ('ipv4_addr', 'ipv6_addr')):
        out.append('add map netdev %s %s { type %s : verdict; }'
                   % (t, name, keytype))
    out += ['add chain netdev %s ingress { type filter hook ingress device '
            '"%s" priority 0; policy accept; }' % (t, interface),
            'flush chain netdev %s ingress' % t]
    # One lookup whatever the number of load balancers: VIP -> jump lb_X.
    # pkttype host: never forward frames flooded to us for others.
    for fam, name in zip(('ip', 'ip6'), VIPS_MAPS):
        out.append('add rule netdev %s ingress meta pkttype host meta '
                   'l4proto { tcp, udp } %s daddr vmap @%s' % (t, fam, name))
    return out


def lb_objects(interface, mac, lb):
    """Commands that make the objects of one load balancer match ``lb``
    and reach it from the dispatch map (never touching its pins)."""
    t = table_name(interface)
    dev = '"%s"' % interface
    x = lb.tag
    expr, pin, keydecl, _ = lb.key
    flows = lb.flows_map
    out = [
        'add map netdev %s %s { type mark : ether_addr; '
        'size %d; }' % (t, lb.slots_map, lb.slots + 16),
        'add set netdev %s dead_%s { type ether_addr; size 256; }' % (t, x),
        'add map netdev %s %s { %s : %s; size %d; '
        'flags dynamic,timeout; timeout %ds; }'
        % (t, flows, keydecl,
           'ether daddr' if keydecl.startswith('typeof') else 'ether_addr',
           lb.flow_size, lb.flow_timeout),
        'add chain netdev %s lb_%s' % (t, x),
        'flush chain netdev %s lb_%s' % (t, x),
    ]
    out += slot_elements(t, lb)
    out += dead_elements(t, lb)
    # Source MAC rewrite is required: otherwise the bridge/switch learns
    # the client's MAC on our port and replies come back here.
    # The pinned path refreshes the pin (``update``): a pin expires
    # flow_timeout after the flow's last packet, not after its first, so
    # a busy flow whose slot moved is never cut by its pin expiring.
    update = 'update @%s { %s timeout %ds : ether daddr }' % (
        flows, pin, lb.flow_timeout)
    out += [
        'add rule netdev %s lb_%s counter ether saddr set %s' % (t, x, mac),
        'add rule netdev %s lb_%s ether daddr set %s map @%s '
        'ether daddr != @dead_%s %s fwd to %s'
        % (t, x, pin, flows, x, update, dev),
        'add rule netdev %s lb_%s meta mark set jhash %s mod %d seed '
        '0x%08x ether daddr set meta mark map @%s %s fwd to %s'
        % (t, x, expr, lb.slots, lb.seed, lb.slots_map, update, dev),
        # No amphora at all: drop rather than let our own stack answer.
        'add rule netdev %s lb_%s counter drop' % (t, x),
        'add element netdev %s %s { %s : jump lb_%s }'
        % (t, _vips_map(lb.family), lb.vip, x),
    ]
    return out


def delete_objects(table, objects):
    """Commands deleting (kind, name) objects: chains emptied first, so
    nothing they reference is still in use when it goes."""
    out = ['flush chain netdev %s %s' % (table, n)
           for k, n in sorted(objects) if k == 'chain']
    out += ['delete chain netdev %s %s' % (table, n)
            for k, n in sorted(objects) if k == 'chain']
    out += ['delete %s netdev %s %s' % (k, table, n)
            for k, n in sorted(objects) if k != 'chain']
    return out


def unlink(table, lb):
    """Remove ``lb``'s VIP from the dispatch map."""
    return ['delete element netdev %s %s { %s }'
            % (table, _vips_map(lb.family), lb.vip)]


def lb_change(interface, mac, old, new):
    """Commands taking one load balancer from ``old`` (None: absent) to
    ``new`` (None: removed); other load balancers are not mentioned."""
    t = table_name(interface)
    if new is None:
        return unlink(t, old) + delete_objects(t, old.object_names())
    if old is not None and old.shape == new.shape:
        out = slot_elements(t, new, old.macs)
        if sorted(old.dead) != sorted(new.dead):
            out += dead_elements(t, new)
        return out
    out = []
    if old is not None and (old.vip, old.family) != (new.vip, new.family):
        out += unlink(t, old)
    out += lb_objects(interface, mac, new)
    if old is not None:
        out += delete_objects(t, old.object_names() - new.object_names())
    return out


def wanted_objects(lbs):
    out = {('chain', 'ingress')} | {('map', n) for n in VIPS_MAPS}
    for lb in lbs:
        out |= lb.object_names()
    return out


def render(interface, mac, lbs, stale=()):
    """Full converge transaction for ``interface``: the same objects the
    per-load-balancer changes build, so a restarted agent or a
    replacement distributor holds identical tables.

    ``stale``: (kind, name) objects present in the kernel table but no
    longer wanted; they are emptied and deleted in the same transaction.
    """
    t = table_name(interface)
    out = skeleton(interface)
    # Refilled below: drops elements jumping to stale chains.
    out += ['flush map netdev %s %s' % (t, n) for n in VIPS_MAPS]
    out += delete_objects(t, stale)
    for lb in sorted(lbs, key=lambda x: x.tag):
        out += lb_objects(interface, mac, lb)
    return out
