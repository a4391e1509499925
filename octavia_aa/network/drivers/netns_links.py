"""Bridges, veths, namespaces and addresses with pyroute2, named from ids.

Bridges live in the host namespace (the management bridge may carry the
controller's address); one end of each veth is a bridge port, the other
is created directly inside the machine's namespace.  Every name is
``<prefix><kind><8 hex of a hash>`` (<= 13 characters, the Linux limit
is 15), so two deployments or test runs with different prefixes never
collide, and a name can be recomputed from the ids after a crash.
"""
import errno
import hashlib
import os

from pyroute2 import IPRoute
from pyroute2 import NetNS
from pyroute2 import netns as pr_netns
from pyroute2.netlink.exceptions import NetlinkError

IFA_F_NODAD = 0x02


def short(*parts):
    return hashlib.sha256('/'.join(parts).encode()).hexdigest()[:8]


def bridge_name(prefix, network_id):
    return '%sb%s' % (prefix, short(prefix, network_id))


def veth_name(prefix, port_id):
    return '%sv%s' % (prefix, short(prefix, port_id))


def namespace_name(prefix, compute_id):
    return '%s-%s' % (prefix, compute_id)


def mac_for(prefix, port_id):
    digest = hashlib.sha256(('%s/%s' % (prefix, port_id)).encode()).digest()
    # 02: locally administered unicast.
    return '02:%02x:%02x:%02x:%02x:%02x' % tuple(digest[:5])


def _ignore(code, fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except NetlinkError as exc:
        if exc.code != code:
            raise
    return None


def ensure_namespace(name):
    if name not in pr_netns.listnetns():
        try:
            pr_netns.create(name)
        except OSError as exc:
            if exc.errno != errno.EEXIST:
                raise
    with NetNS(name) as ns:
        ns.link('set', index=ns.link_lookup(ifname='lo')[0], state='up')


def namespace_exists(name):
    return os.path.exists('/run/netns/%s' % name)


def remove_namespace(name):
    if name in pr_netns.listnetns():
        try:
            pr_netns.remove(name)
        except FileNotFoundError:
            pass              # removed meanwhile (by its owner, or `ip`)


def ensure_bridge(name, mtu, address=None, prefixlen=None):
    with IPRoute() as ipr:
        if not ipr.link_lookup(ifname=name):
            _ignore(errno.EEXIST, ipr.link, 'add', ifname=name,
                    kind='bridge', br_stp_state=0, br_forward_delay=0)
        index = ipr.link_lookup(ifname=name)[0]
        # A bridge without a set MAC takes its lowest port's, so a port
        # joining changes the gateway's MAC under every neighbour's ARP
        # cache: heartbeats stop and healthy machines get failed over.
        ipr.link('set', index=index, mtu=mtu, state='up',
                 address=mac_for('bridge', name))
        if address:
            _ignore(errno.EEXIST, ipr.addr, 'add', index=index,
                    address=address, prefixlen=prefixlen)
    return name


def remove_link(name):
    with IPRoute() as ipr:
        for index in ipr.link_lookup(ifname=name):
            _ignore(errno.ENODEV, ipr.link, 'del', index=index)


def plug(namespace, bridge, host_if, inner_if, mac, mtu, address=None,
         prefixlen=None):
    """A veth from ``bridge`` into ``namespace`` (idempotent)."""
    with IPRoute() as ipr:
        if not ipr.link_lookup(ifname=host_if):
            fd = os.open('/run/netns/%s' % namespace, os.O_RDONLY)
            try:
                ipr.link('add', ifname=host_if, kind='veth',
                         peer={'ifname': inner_if, 'net_ns_fd': fd})
            finally:
                os.close(fd)
        index = ipr.link_lookup(ifname=host_if)[0]
        master = ipr.link_lookup(ifname=bridge)[0]
        ipr.link('set', index=index, master=master, mtu=mtu, state='up')
    with NetNS(namespace) as ns:
        inner = ns.link_lookup(ifname=inner_if)[0]
        ns.link('set', index=inner, address=mac, mtu=mtu, state='up')
        if address:
            kwargs = {}
            if ':' in address:
                # IPAM already guarantees uniqueness: skip the seconds of
                # duplicate address detection.
                kwargs['flags'] = IFA_F_NODAD
            _ignore(errno.EEXIST, ns.addr, 'add', index=inner,
                    address=address, prefixlen=prefixlen, **kwargs)


def bridge_ports(bridge):
    with IPRoute() as ipr:
        found = ipr.link_lookup(ifname=bridge)
        if not found:
            return []
        return [link.get_attr('IFLA_IFNAME')
                for link in ipr.get_links(master=found[0])]
