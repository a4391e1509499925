"""UDP listeners of a load balancer, balanced by the kernel's nftables
NAT inside the amphora, one ``ip``/``ip6`` table per load balancer.

Why nftables and not keepalived's LVS (IPVS) as upstream Octavia: IPVS
is not built into the kernels this runs on (``CONFIG_IP_VS`` is not set,
``/proc/net/ip_vs`` is absent, modules cannot be loaded), while
nftables NAT with conntrack is in every kernel that runs our distributor
already.  The pieces map one to one: a conntrack entry is LVS's
connection entry (a UDP "flow" is its 5-tuple, kept while packets pass
and for the UDP conntrack timeout after), ``numgen inc`` over a slot
table is weighted round robin, ``jhash ip saddr`` is LVS's source
hashing, a dynamic map from source to member with a timeout is LVS's
persistence, ``masquerade`` towards the members is LVS-NAT with the
amphora as the members' return path (upstream masquerades too).  There
is no least-connection scheduler in nftables: LEAST_CONNECTIONS UDP
pools are refused at request time (api/support.py).  Health checks are
the agent's own prober (udp_health.py), as keepalived's checkers would be.

Per listener ``L`` (a short hash of its id) the table holds::

    members    mark -> addr . port   member numbers (1..n) of the LB
    slots_L    mark -> mark          slot -> member number, live members
    up_L       set of mark           live member numbers (persistence)
    persist_L  saddr -> mark         dynamic, persistence_timeout
    l_L        chain                 pick a member, dnat, ct mark = member

A configuration change replaces the whole table in one transaction; a
health change only rewrites the chains and the slot maps, so persistence
entries and counters survive it.  The conntrack entries of a member
that went down are deleted (udp_ct.py), so its flows pick a live member
with their next packet instead of waiting for the conntrack timeout.
"""
import hashlib
import ipaddress
import json
import logging
import os
import subprocess
import sys

from octavia_aa.amphorae.backends.agent import errors

LOG = logging.getLogger(__name__)
TABLE_PREFIX = 'oaa_udp_'
UP, DOWN, NO_CHECK, MAINT = 'UP', 'DOWN', 'no check', 'MAINT'
MAX_SLOTS = 1024


def tag(value):
    return hashlib.sha256(value.encode()).hexdigest()[:12]


def table_name(lb_id):
    return TABLE_PREFIX + tag(lb_id)


def family(doc):
    vip = doc.get('vip')
    if vip and ipaddress.ip_address(vip).version == 6:
        return 'ip6', 'ipv6_addr'
    return 'ip', 'ipv4_addr'


def member_numbers(doc):
    """member id -> its mark (1..n), in document order."""
    out = {}
    for lst in doc.get('listeners', []):
        for m in (lst.get('pool') or {}).get('members', []):
            out.setdefault(m['id'], len(out) + 1)
    return out


def _gcd_weights(members):
    import math
    g = 0
    for m in members:
        g = math.gcd(g, m['weight'])
    return [(m, m['weight'] // (g or 1)) for m in members]


def slot_list(members):
    """Smooth weighted round robin (each member as often as its weight,
    spread evenly) over at most MAX_SLOTS slots."""
    weighted = [(m, w) for m, w in _gcd_weights(members) if w > 0]
    total = sum(w for _, w in weighted)
    if total > MAX_SLOTS:       # scale down, keeping every member in
        weighted = [(m, max(1, w * MAX_SLOTS // total)) for m, w in weighted]
        total = sum(w for _, w in weighted)
    current = [0] * len(weighted)
    out = []
    for _ in range(total):
        for i, (_, w) in enumerate(weighted):
            current[i] += w
        best = max(range(len(weighted)), key=lambda i: current[i])
        current[best] -= total
        out.append(weighted[best][0])
    return out


def live_members(pool, status):
    """Members that take new flows: enabled, weight > 0, not DOWN; the
    backup members only when no other is live."""
    if not pool or not pool.get('enabled', True):
        return []
    ok = [m for m in pool.get('members', [])
          if m.get('enabled', True) and m.get('weight', 1) > 0 and
          status.get(m['id']) != DOWN]
    primary = [m for m in ok if not m.get('backup')]
    return primary or ok


def _persist(pool):
    sp = (pool or {}).get('persistence')
    return sp if sp and sp.get('timeout') else None


def declarations(lb_id, doc):
    """The table's objects (text of one ``table`` block)."""
    fam, addr = family(doc)
    nums = member_numbers(doc)
    lines = ['table %s %s {' % (fam, table_name(lb_id)),
             '  map members { type mark : %s . inet_service; }' % addr]
    elements = []
    for lst in doc.get('listeners', []):
        for m in (lst.get('pool') or {}).get('members', []):
            elements.append('%d : %s . %d' % (nums[m['id']], m['address'],
                                              m['port']))
        x = tag(lst['id'])
        lines += ['  map slots_%s { type mark : mark; }' % x,
                  '  set up_%s { type mark; }' % x,
                  '  counter new_%s { }' % x]
        sp = _persist(lst.get('pool'))
        if sp:
            lines.append('  map persist_%s { type %s : mark; size 65536; '
                         'flags dynamic,timeout; timeout %ds; }'
                         % (x, addr, sp['timeout']))
        lines.append('  chain l_%s { }' % x)
    lines += ['  chain prerouting { type nat hook prerouting priority '
              'dstnat; policy accept; }',
              '  chain postrouting { type nat hook postrouting priority '
              'srcnat; policy accept; }', '}']
    out = ['\n'.join(lines)]
    # Numbers stay the same for the life of the table: conntrack marks
    # of established flows name them.
    elements = sorted(set(elements), key=lambda e: int(e.split()[0]))
    if elements:
        out.append('add element %s %s members { %s }'
                   % (fam, table_name(lb_id), ', '.join(elements)))
    return out


def rules(lb_id, doc, status):
    """Chains and slot maps for the members' current status; every
    command can run again on the same table."""
    fam, _ = family(doc)
    t = '%s %s' % (fam, table_name(lb_id))
    nums = member_numbers(doc)
    vip = doc.get('vip')
    out = ['flush chain %s prerouting' % t, 'flush chain %s postrouting' % t]
    dispatch = []
    for lst in doc.get('listeners', []):
        x = tag(lst['id'])
        pool = lst.get('pool')
        chain = '%s l_%s' % (t, x)
        live = live_members(pool, status)
        slots = slot_list(live)
        out += ['flush chain %s' % chain,
                'flush map %s slots_%s' % (t, x),
                'flush set %s up_%s' % (t, x)]
        if slots:
            out.append('add element %s slots_%s { %s }' % (t, x, ', '.join(
                '%d : %d' % (i, nums[m['id']]) for i, m in enumerate(slots))))
            out.append('add element %s up_%s { %s }' % (t, x, ', '.join(
                str(nums[m['id']]) for m in live)))
        sp = _persist(pool)
        key = '%s saddr' % fam
        if sp and sp.get('granularity'):
            key += ' and %s' % sp['granularity']
        nat = ('ct mark set meta mark dnat %s addr . port to meta mark map '
               '@members' % fam)
        update = ('update @persist_%s { %s timeout %ds : meta mark } '
                  % (x, key, sp['timeout']) if sp else '')
        # A NAT chain sees the first packet of a flow only: new flows.
        out.append('add rule %s counter name new_%s' % (chain, x))
        cidrs = [c for c in lst.get('allowed_cidrs') or []
                 if (':' in c) == (fam == 'ip6')]
        if lst.get('allowed_cidrs'):
            # A dropped first packet confirms no conntrack entry, so
            # every packet of a refused flow is dropped here.
            out.append('add rule %s %s saddr != { %s } drop' % (
                chain, fam, ', '.join(cidrs)) if cidrs else
                'add rule %s drop' % chain)
        limit = lst.get('connection_limit') or -1
        if limit > 0:
            # Flows (conntrack entries) of this listener alive at once on
            # this amphora, as HAProxy's maxconn for TCP.  The count is
            # the rule's own: a rewrite of the chain (a member's health
            # change) starts it again from the flows that come after.
            out.append('add rule %s ct count over %d drop' % (chain, limit))
        if sp:
            # A known source goes back to its member while that is live.
            out += ['add rule %s meta mark set %s map @persist_%s'
                    % (chain, key, x),
                    'add rule %s meta l4proto udp meta mark @up_%s %s%s'
                    % (chain, x, update, nat)]
        if slots:
            pick = ('jhash %s saddr mod %d seed 0x5eed' % (fam, len(slots))
                    if pool.get('algorithm') == 'SOURCE_IP'
                    else 'numgen inc mod %d' % len(slots))
            out += ['add rule %s meta mark set %s' % (chain, pick),
                    'add rule %s meta l4proto udp meta mark set meta mark '
                    'map @slots_%s %s%s' % (chain, x, update, nat)]
        # No live member: drop, as LVS does without real servers.
        out.append('add rule %s counter drop' % chain)
        if lst.get('enabled', True) and doc.get('enabled', True) and vip:
            dispatch.append('%d : jump l_%s' % (lst['port'], x))
    if dispatch:
        out.append('add rule %s prerouting %s daddr %s udp dport vmap { %s }'
                   % (t, fam, vip, ', '.join(dispatch)))
        # Replies must come back through us to be un-NATed.
        out.append('add rule %s postrouting ct original %s daddr %s '
                   'ct status dnat masquerade' % (t, fam, vip))
    return out


def full(lb_id, doc, status):
    fam, _ = family(doc)
    t = '%s %s' % (fam, table_name(lb_id))
    return (['add table %s' % t, 'delete table %s' % t]
            + declarations(lb_id, doc) + rules(lb_id, doc, status))


def nft(commands, check=True):
    text = '\n'.join(commands) + '\n'
    r = subprocess.run(['nft', '-f', '-'], input=text, capture_output=True,
                       text=True, timeout=60)
    if check and r.returncode:
        raise errors.ApiError('nft refused the UDP rules',
                              nft_output=r.stderr.strip()[-2000:])
    return r


def counters(lb_id, doc):
    """listener id -> flows started, from the table's counters."""
    fam, _ = family(doc)
    r = subprocess.run(['nft', '-j', 'list', 'counters', 'table', fam,
                        table_name(lb_id)], capture_output=True, text=True,
                       timeout=30)
    found = {}
    try:
        for item in json.loads(r.stdout or '{}').get('nftables', []):
            c = item.get('counter')
            if c:
                found[c['name']] = c
    except ValueError:
        return {}
    out = {}
    for lst in doc.get('listeners', []):
        x = tag(lst['id'])
        out[lst['id']] = found.get('new_' + x, {}).get('packets', 0)
    return out


def forget_flows(members):
    """Delete the conntrack entries of (mark, address, port) members, in
    a child process (pyroute2, as netplug)."""
    if not members:
        return None
    r = subprocess.run(
        [sys.executable, '-m', 'octavia_aa.amphorae.backends.agent.udp_ct'],
        input=json.dumps([list(m) for m in members]), capture_output=True,
        text=True, timeout=60)
    if r.returncode:
        LOG.warning('conntrack flush failed: %s', r.stderr[-500:])
    return r.returncode


def enable_forwarding(doc):
    """The amphora routes member replies back to clients."""
    fam, _ = family(doc)
    path = ('/proc/sys/net/ipv4/ip_forward' if fam == 'ip' else
            '/proc/sys/net/ipv6/conf/all/forwarding')
    try:
        with open(path, 'w') as f:
            f.write('1')
    except OSError as exc:
        LOG.warning('cannot enable forwarding (%s): %s', path, exc)


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def save(path, doc):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    tmp = path + '.tmp'
    with open(tmp, 'w') as f:
        json.dump(doc, f, sort_keys=True)
    os.replace(tmp, path)
