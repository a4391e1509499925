"""ACTIVE_STANDBY: MASTER and BACKUP share the VIP through VRRP
(keepalived on the amphorae); the standby is replaced first in a rolling
failover so the MASTER keeps serving as long as possible.

keepalived runs with nopreempt: once the BACKUP took the VIP over, it
keeps it.  So a replacement always joins as BACKUP and the amphora that
stayed becomes MASTER (the roles then say who holds the VIP, and the next
rolling failover still replaces the right one first)."""
from octavia_aa.common import constants as c
from octavia_aa.topology import base

_ORDER = {c.ROLE_BACKUP: 0, c.ROLE_MASTER: 1}


class ActiveStandby(base.Topology):
    name = c.TOPOLOGY_ACTIVE_STANDBY
    vip_holder = base.VIP_BY_VRRP
    anti_affinity = True

    def amphora_roles(self, lb):
        return [c.ROLE_MASTER, c.ROLE_BACKUP]

    def expected_amphorae(self, lb):
        return 2

    def replacement_role(self, lb, failed):
        return c.ROLE_BACKUP

    def failover_order(self, amphorae):
        return sorted(amphorae, key=lambda a: _ORDER.get(a.role, 2))
