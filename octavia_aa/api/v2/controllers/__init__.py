"""/v2 (and /v2.0): lbaas resources, admin resources under octavia/, and
the read-only Neutron subnets/networks the CLI resolves names through."""
import pecan

from octavia_aa.api.v2.controllers import load_balancer
from octavia_aa.api.v2.controllers import quota


class LbaasController:
    loadbalancers = load_balancer.LoadBalancersController()
    quotas = quota.QuotasController()

    @pecan.expose('json')
    def index(self):
        return 'lbaas'


class OctaviaController:
    @pecan.expose('json')
    def index(self):
        return 'octavia'


class V2Controller:
    lbaas = LbaasController()
    octavia = OctaviaController()

    @pecan.expose('json')
    def index(self):
        return 'v2'
