"""SINGLE: one STANDALONE amphora that owns the VIP itself."""
from octavia_aa.common import constants as c
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.topology import base


class Single(base.Topology):
    name = c.TOPOLOGY_SINGLE

    def amphora_roles(self, lb):
        return [c.ROLE_STANDALONE]

    def expected_amphorae(self, lb):
        return 1

    def hold_vip(self, prefix):
        # The amphora answers ARP for the VIP: there is nobody else.
        return [amp_tasks.AmphoraePlugVip(arp=True, prefix=prefix)]
