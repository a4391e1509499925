"""Render the nftables table of one VIP interface (text syntax).

One ``netdev`` table per interface, hooked at ingress on that device only,
so a frame is only ever forwarded back out of the interface it came in on
and load balancers on different interfaces cannot leak into each other.

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


def render(interface, mac, lbs, stale=()):
    """Full converge transaction for ``interface``.

    ``stale``: (kind, name) objects present in the kernel table but no
    longer wanted; they are emptied and deleted in the same transaction.
    """
    t = table_name(interface)
    dev = '"%s"' % interface
    out = ['add table netdev %s' % t,
           'add chain netdev %s ingress { type filter hook ingress device '
           '%s priority 0; policy accept; }' % (t, dev),
           'flush chain netdev %s ingress' % t]
    for kind, name in sorted(stale):
        if kind == 'chain':
            out.append('flush chain netdev %s %s' % (t, name))
    for kind, name in sorted(stale):
        if kind == 'chain':
            out.append('delete chain netdev %s %s' % (t, name))
    for kind, name in sorted(stale):
        if kind != 'chain':
            out.append('delete %s netdev %s %s' % (kind, t, name))
    for lb in sorted(lbs, key=lambda x: x.tag):
        x = lb.tag
        expr, pin, keydecl, _ = lb.key
        flows = lb.flows_map
        out += [
            'add map netdev %s %s { type mark : ether_addr; '
            'size %d; }' % (t, lb.slots_map, lb.slots + 16),
            'add set netdev %s dead_%s { type ether_addr; size 256; }'
            % (t, x),
            'add map netdev %s %s { %s : %s; size %d; '
            'flags dynamic,timeout; timeout %ds; }'
            % (t, flows, keydecl,
               'ether daddr' if keydecl.startswith('typeof') else
               'ether_addr', lb.flow_size, lb.flow_timeout),
            'add chain netdev %s lb_%s' % (t, x),
            'flush chain netdev %s lb_%s' % (t, x),
        ]
        out += slot_elements(t, lb)
        out += dead_elements(t, lb)
        # Source MAC rewrite is required: otherwise the bridge/switch
        # learns the client's MAC on our port and replies come back here.
        # The pinned path refreshes the pin (``update``): a pin expires
        # flow_timeout after the flow's last packet, not after its first,
        # so a busy flow whose slot moved is never cut by its pin expiring.
        update = 'update @%s { %s timeout %ds : ether daddr }' % (
            flows, pin, lb.flow_timeout)
        out += [
            'add rule netdev %s lb_%s counter ether saddr set %s'
            % (t, x, mac),
            'add rule netdev %s lb_%s ether daddr set %s map @%s '
            'ether daddr != @dead_%s %s fwd to %s'
            % (t, x, pin, flows, x, update, dev),
            'add rule netdev %s lb_%s meta mark set jhash %s mod %d seed '
            '0x%08x ether daddr set meta mark map @%s %s fwd to %s'
            % (t, x, expr, lb.slots, lb.seed, lb.slots_map, update, dev),
            # No amphora at all: drop rather than let our own stack answer.
            'add rule netdev %s lb_%s counter drop' % (t, x),
            # pkttype host: never forward frames flooded to us for others.
            'add rule netdev %s ingress meta pkttype host %s daddr %s '
            'meta l4proto { tcp, udp } jump lb_%s'
            % (t, lb.family, lb.vip, x),
        ]
    return out
