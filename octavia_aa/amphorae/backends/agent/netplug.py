"""Interface and address changes with pyroute2, run as a short-lived child
process (``python -m ...netplug`` with a JSON request on stdin).

pyroute2 adds ~20 MB of RSS to whatever imports it; a plug is rare, so
the agent pays that only for the few hundred milliseconds of a plug.

VIP without ARP (a distributor owns it on the wire): the VIP goes on
``lo`` as a host address and arp_ignore=1 / arp_announce=2 are set for
all interfaces, so the amphora accepts packets for the VIP, never answers
ARP for it, and never uses it as the sender of its own ARP requests
(datapath-experiments.md, variant A).  An IPv6 VIP on ``lo`` is not
answered in neighbour solicitations on other interfaces either.

VIP held by VRRP (ACTIVE_STANDBY, ``vrrp``: true): the port comes up with
its own fixed address only; keepalived adds the VIP on the MASTER, and
ip_nonlocal_bind lets HAProxy bind it on the BACKUP before it has it.
"""
import ipaddress
import json
import sys

from pyroute2 import IPRoute
from pyroute2.netlink.exceptions import NetlinkError

EEXIST = 17


class PlugError(Exception):
    def __init__(self, code, message):
        super().__init__(message)
        self.code = code


def sysctl(path, value):
    with open('/proc/sys/' + path.replace('.', '/'), 'w') as f:
        f.write(str(value))


def _link_by_mac(ipr, mac):
    for link in ipr.get_links():
        if (link.get_attr('IFLA_ADDRESS') or '').lower() == mac.lower():
            return link['index'], link.get_attr('IFLA_IFNAME')
    raise PlugError(404, 'no interface with MAC address %s' % mac)


IFA_F_NODAD = 0x02


def _add_addr(ipr, index, address, prefixlen):
    # No duplicate address detection for IPv6: the controller's IPAM
    # hands each address out once, and DAD would delay it by seconds.
    kwargs = {'flags': IFA_F_NODAD} if ':' in address else {}
    try:
        ipr.addr('add', index=index, address=address, prefixlen=prefixlen,
                 **kwargs)
    except NetlinkError as exc:
        if exc.code != EEXIST:     # already there: plugging is idempotent
            raise


def _link_up(ipr, index, mtu):
    if mtu:
        ipr.link('set', index=index, mtu=int(mtu))
    ipr.link('set', index=index, state='up')


def _arp_off(ifname):
    for dev in ('all', 'default', ifname):
        sysctl('net/ipv4/conf/%s/arp_ignore' % dev, 1)
        sysctl('net/ipv4/conf/%s/arp_announce' % dev, 2)


def plug_vip(ipr, req):
    vip = ipaddress.ip_address(req['ip_address'])
    net = ipaddress.ip_network(req['subnet_cidr'], strict=False)
    if vip not in net:
        raise PlugError(400, 'VIP %s is not in %s' % (vip, net))
    index, ifname = _link_by_mac(ipr, req['mac_address'])
    _link_up(ipr, index, req.get('mtu'))
    for fixed in req.get('fixed_ips') or []:
        _add_addr(ipr, index, fixed, net.prefixlen)
    if req.get('vrrp'):
        sysctl('net/ipv4/ip_nonlocal_bind', 1)
        sysctl('net/ipv6/ip_nonlocal_bind', 1)
    elif req.get('arp', True):
        _add_addr(ipr, index, str(vip), net.prefixlen)
    else:
        if vip.version == 4:
            _arp_off(ifname)
        lo = ipr.link_lookup(ifname='lo')[0]
        ipr.link('set', index=lo, state='up')
        _add_addr(ipr, lo, str(vip), vip.max_prefixlen)
    gateway = req.get('gateway')
    if gateway:
        dst = '0.0.0.0/0' if vip.version == 4 else '::/0'
        ipr.route('replace', dst=dst, gateway=gateway, oif=index)
    for route in req.get('host_routes') or []:
        ipr.route('replace', dst=route['destination'],
                  gateway=route['nexthop'], oif=index)
    return {'interface': ifname}


def plug_network(ipr, req):
    index, ifname = _link_by_mac(ipr, req['mac_address'])
    _link_up(ipr, index, req.get('mtu'))
    for fixed in req.get('fixed_ips') or []:
        net = ipaddress.ip_network(fixed['subnet_cidr'], strict=False)
        _add_addr(ipr, index, fixed['ip_address'], net.prefixlen)
    return {'interface': ifname}


def interfaces(ipr):
    out = {}
    for link in ipr.get_links():
        out[link.get_attr('IFLA_IFNAME')] = {
            'mac': link.get_attr('IFLA_ADDRESS'),
            'mtu': link.get_attr('IFLA_MTU'),
            'state': link.get_attr('IFLA_OPERSTATE'), 'addresses': []}
    names = {link['index']: link.get_attr('IFLA_IFNAME')
             for link in ipr.get_links()}
    for addr in ipr.get_addr():
        name = names.get(addr['index'])
        if name in out:
            out[name]['addresses'].append('%s/%d' % (
                addr.get_attr('IFA_ADDRESS'), addr['prefixlen']))
    return {'interfaces': out}


ACTIONS = {'vip': plug_vip, 'network': plug_network,
           'interfaces': lambda ipr, req: interfaces(ipr)}


def main():
    req = json.load(sys.stdin)
    try:
        with IPRoute() as ipr:
            result = ACTIONS[req['action']](ipr, req)
        json.dump({'code': 200, 'result': result}, sys.stdout)
    except PlugError as exc:
        json.dump({'code': exc.code, 'message': str(exc)}, sys.stdout)
    except (NetlinkError, OSError, KeyError, ValueError) as exc:
        json.dump({'code': 400, 'message': '%s: %s'
                   % (type(exc).__name__, exc)}, sys.stdout)


if __name__ == '__main__':
    main()
