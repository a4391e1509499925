"""What a deleted load balancer may leave behind on this host and in the
database: the Deployment's leaks() (a mixin, it reads the deployment's
prefix, namespaces, links and rows)."""
import os
import re

from octavia_aa.common import procs
from octavia_aa.compute.drivers import netns as compute_netns
from octavia_aa.network.drivers import netns_links as links
from tests.scenario import host

# Rows that belong to a load balancer (status column, deleted value).
LB_TABLES = (('load_balancer', 'provisioning_status'),
             ('amphora', 'status'), ('cluster', None),
             ('amphora_registration', None), ('amphora_health', None),
             ('vip', None), ('listener', 'provisioning_status'),
             ('pool', 'provisioning_status'),
             ('member', 'provisioning_status'))


class LeakFinder:

    def leaks(self, lb_id=None, vip=None):
        """What is left that no distributor and no test helper owns:
        {'namespaces', 'processes', 'links', 'nftables', 'addresses',
        'rows'}; all empty when a deleted load balancer left nothing."""
        dists = self.distributors()
        dist_ns = {self.namespace(d['compute_id']) for d in dists
                   if d.get('compute_id')}
        keep_ns = dist_ns | set(self.own_namespaces)
        namespaces = [n for n in self.prefix_namespaces()
                      if n not in keep_ns]
        # Addresses: what IPAM still hands out besides the distributors'
        # own management and VIP-network ports.
        dist_owners = {'mgmt:%s' % d.get('compute_id') for d in dists}
        allocs = self.db_rows('SELECT subnet_id, ip_address, port_id, owner '
                              'FROM ip_allocation')
        addresses = [a for a in allocs if a['owner'] not in dist_owners and
                     not (a['owner'] or '').startswith('distributor:')]
        keep_ports = {links.veth_name(self.prefix, a['port_id'])
                      for a in allocs if a not in addresses}
        return {'namespaces': namespaces,
                'processes': self._leaked_processes(namespaces, keep_ns),
                'links': self._leaked_links(keep_ports),
                'nftables': self._leaked_nftables(dist_ns, lb_id, vip),
                'addresses': ['%s %s' % (a['ip_address'], a['owner'])
                              for a in addresses],
                'rows': self._leaked_rows()}

    def _leaked_links(self, keep_ports):
        bridges = {link for link in self.prefix_links()
                   if re.match(r'^%sb' % self.prefix, link)}
        port_leaks = []
        for br in sorted(bridges):
            for port in links.bridge_ports(br):
                if port not in keep_ports and port not in self.own_links:
                    port_leaks.append('%s:%s' % (br, port))
        return port_leaks + [link for link in self.prefix_links()
                             if link not in bridges and
                             link not in keep_ports and
                             link not in self.own_links]

    def _leaked_processes(self, namespaces, keep_ns):
        processes = {}
        for ns in namespaces:
            for pid in compute_netns.namespace_pids(ns):
                processes[pid] = host.cmdline(pid)[:100]
        kept_pids = set()
        for ns in keep_ns:
            kept_pids |= compute_netns.namespace_pids(ns)
        host_ns = host.netns_id(os.getpid())
        for entry in os.listdir('/proc'):
            if not entry.isdigit() or int(entry) in kept_pids:
                continue
            pid = int(entry)
            cmd = host.cmdline(pid)
            if (self.tmp not in cmd or not procs.alive(pid) or
                    pid == os.getpid()):
                continue
            # The service's own processes live in the host namespace;
            # anything of ours elsewhere (a namespace already unlinked
            # but kept alive by its processes, say) is left over.
            if host.netns_id(pid) == host_ns:
                continue
            processes[pid] = cmd[:100]
        return processes

    def _leaked_nftables(self, dist_ns, lb_id, vip):
        nft = []
        if not (lb_id or vip):
            return nft
        from distributor_agent import ruleset
        tag = ruleset.lb_tag(lb_id) if lb_id else None
        for ns in sorted(dist_ns):
            if ns not in self.prefix_namespaces():
                continue
            text = host.sh('nft', 'list', 'ruleset', ns=ns, check=False).stdout
            if tag and tag in text:
                nft.append('%s: nftables objects of %s' % (ns, lb_id))
            if vip and any(a == vip for _, a in
                           self.ns_addresses(ns, missing_ok=True)):
                nft.append('%s: still holds VIP %s' % (ns, vip))
        return nft

    def _leaked_rows(self):
        rows = {}
        for table, status in LB_TABLES:
            sql = 'SELECT * FROM %s' % table
            if status:
                sql += " WHERE %s != 'DELETED'" % status
            found = self.db_rows(sql)
            if found:
                rows[table] = [r.get('id') or r for r in found]
        return rows
