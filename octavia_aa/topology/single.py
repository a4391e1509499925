"""SINGLE: one STANDALONE amphora that owns the VIP itself."""
from octavia_aa.common import constants as c
from octavia_aa.topology import base


class Single(base.Topology):
    name = c.TOPOLOGY_SINGLE
    # The amphora answers ARP for the VIP: there is nobody else.
    vip_holder = base.VIP_BY_AMPHORA

    def amphora_roles(self, lb):
        return [c.ROLE_STANDALONE]

    def expected_amphorae(self, lb):
        return 1
