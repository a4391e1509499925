"""/v2 (and /v2.0): lbaas resources, admin resources under octavia/, and
the read-only Neutron subnets/networks the CLI resolves names through."""
import pecan

from octavia_aa.api.v2.controllers import amphora
from octavia_aa.api.v2.controllers import availability_zone
from octavia_aa.api.v2.controllers import cluster
from octavia_aa.api.v2.controllers import distributor
from octavia_aa.api.v2.controllers import flavor
from octavia_aa.api.v2.controllers import health_monitor
from octavia_aa.api.v2.controllers import l7policy
from octavia_aa.api.v2.controllers import listener
from octavia_aa.api.v2.controllers import load_balancer
from octavia_aa.api.v2.controllers import network
from octavia_aa.api.v2.controllers import pool
from octavia_aa.api.v2.controllers import quota


class LbaasController:
    loadbalancers = load_balancer.LoadBalancersController()
    listeners = listener.ListenersController()
    pools = pool.PoolsController()
    healthmonitors = health_monitor.HealthMonitorsController()
    l7policies = l7policy.L7PoliciesController()
    flavors = flavor.FlavorsController()
    flavorprofiles = flavor.FlavorProfilesController()
    providers = flavor.ProvidersController()
    quotas = quota.QuotasController()
    availabilityzones = availability_zone.AvailabilityZonesController()
    availabilityzoneprofiles = (
        availability_zone.AvailabilityZoneProfilesController())

    @pecan.expose('json')
    def index(self):
        return 'lbaas'


class OctaviaController:
    amphorae = amphora.AmphoraeController()
    clusters = cluster.ClustersController()
    distributors = distributor.DistributorsController()

    @pecan.expose('json')
    def index(self):
        return 'octavia'


class V2Controller:
    lbaas = LbaasController()
    octavia = OctaviaController()
    subnets = network.SubnetsController()
    networks = network.NetworksController()

    @pecan.expose('json')
    def index(self):
        return 'v2'
