"""What the demo makes and how it talks: names, addresses, output."""
import ipaddress
import os
import shlex

from octavia_aa.common import config
from octavia_aa.network.drivers import netns_opts

CONF = config.CONF

LB = 'demo-lb'
LISTENER = 'demo-http'
POOL = 'demo-pool'
FLAVOR = 'demo-aa'
PROFILE = 'demo-aa'
MEMBERS = ('member1', 'member2', 'member3')
MEMBER_PORT = 8080
FLAVOR_DATA = {'loadbalancer_topology': 'ACTIVE_ACTIVE',
               'cluster_desired_size': 3, 'cluster_min_size': 2,
               # One client address: spread its connections by source port
               # too (the default SOURCE_IP keeps them on one amphora).
               'distributor_affinity': 'SOURCE_IP_PORT'}
MARKER = 'octavia-aa-demo-member'


class DemoError(Exception):
    pass


def say(text=''):
    print(text, flush=True)


def show_command(cmd):
    say('$ ' + shlex.join(cmd))


# -- configuration ---------------------------------------------------------

def load_config(config_file):
    netns_opts.register_opts(CONF)
    config.register_logging_opts(CONF)
    # The service's config, but not its logging: the demo talks on
    # stdout and never writes into the service's log file.
    for name, value in (('debug', False), ('log_file', None),
                        ('log_dir', None), ('use_syslog', False),
                        ('use_journal', False), ('use_json', False),
                        ('use_stderr', True)):
        if name in CONF:
            CONF.set_override(name, value)
    argv = ['--config-file', config_file] if config_file else []
    config.init(argv)


class Plan:
    """Names and addresses of this demo, derived from the configuration."""

    def __init__(self, args):
        from octavia_aa.network import subnets
        from octavia_aa.network.drivers import netns_links as links
        self.prefix = CONF.netns.name_prefix
        self.state_dir = os.path.join(CONF.state_path, 'demo')
        self.pid_file = os.path.join(self.state_dir, 'members.pids')
        self.bridge_file = os.path.join(self.state_dir, 'bridges')
        self.member_ns = '%s-demo-members' % self.prefix
        self.client_ns = '%s-demo-client' % self.prefix
        self.member_veth = links.veth_name(self.prefix, 'demo-members')
        self.client_veth = links.veth_name(self.prefix, 'demo-client')
        self.vip_subnet = self._subnet(subnets, args.vip_subnet)
        self.member_subnet = self._subnet(subnets, args.member_subnet)
        self.member_ips = self._free_addresses(self.member_subnet, 3)
        self.client_ip = self._free_addresses(self.vip_subnet, 1)[0]
        self.links = links

    @staticmethod
    def _subnet(subnets, name):
        try:
            return subnets.declared(name)
        except ValueError:
            raise DemoError('subnet %s is not configured (see [networking] '
                            'subnets and [subnet:%s])' % (name, name))

    @staticmethod
    def _free_addresses(subnet, count):
        """Addresses of subnet that IPAM never hands out: outside the
        allocation range and not the gateway, preferring .5 upwards."""
        net = ipaddress.ip_network(subnet.cidr)
        start = ipaddress.ip_address(subnet.allocation_start)
        end = ipaddress.ip_address(subnet.allocation_end)
        gateway = (ipaddress.ip_address(subnet.gateway_ip)
                   if subnet.gateway_ip else None)
        preferred = net.network_address + 5
        found = []
        for first in (preferred, net.network_address + 2):
            addr = first
            while len(found) < count and addr in net and addr < start:
                if (addr != gateway and addr not in found
                        and addr != net.broadcast_address):
                    found.append(addr)
                addr += 1
        if len(found) < count:
            addr = end + 1
            while len(found) < count and addr in net:
                if (addr != gateway and addr != net.broadcast_address
                        and addr not in found):
                    found.append(addr)
                addr += 1
        if len(found) < count:
            raise DemoError('subnet %s has no %d addresses outside its '
                            'allocation range %s-%s' % (
                                subnet.name, count, start, end))
        return [str(a) for a in sorted(found)[:count]]

    def bridge(self, subnet):
        return self.links.bridge_name(self.prefix, subnet.network_id)
