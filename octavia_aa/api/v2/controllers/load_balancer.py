"""/v2/lbaas/loadbalancers: CRUD, cascade delete, status tree, stats,
failover."""
import ipaddress

from oslo_utils import uuidutils
import pecan
import sqlalchemy as sa

from octavia_aa import topology
from octavia_aa.api import fields as f
from octavia_aa.api import support
from octavia_aa.api import validate
from octavia_aa.api.v2.controllers import base
from octavia_aa.common import availability_zones
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import exceptions
from octavia_aa.common import flavors
from octavia_aa.common import policy
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models as m
from octavia_aa.db.queries import listener as listener_q
from octavia_aa.db.queries import load_balancer as lb_q

CONF = config.CONF


def _vip(attr, default=None):
    return lambda lb: getattr(lb.vip, attr, default) if lb.vip else default


FIELDS = f.common() + [
    f.Field('vip_address', 'ip', attr='vip_address', put=False,
            render=_vip('ip_address'), filter_column=m.Vip.ip_address),
    f.Field('vip_port_id', 'uuid', put=False, render=_vip('port_id'),
            filter_column=m.Vip.port_id),
    f.Field('vip_subnet_id', 'str', put=False, max_length=255,
            render=_vip('subnet_id'), filter_column=m.Vip.subnet_id),
    f.Field('vip_network_id', 'str', put=False, max_length=255,
            render=_vip('network_id'), filter_column=m.Vip.network_id),
    f.Field('vip_qos_policy_id', 'uuid', attr='vip_qos_policy_id',
            render=_vip('qos_policy_id'),
            filter_column=m.Vip.qos_policy_id),
    f.Field('vip_sg_ids', 'str_list', attr='vip_sg_ids',
            render=_vip('sg_ids', []), check=validate.items(kind='uuid')),
    f.Field('vip_vnic_type', read_only=True, render=_vip('vnic_type')),
    f.Field('additional_vips', read_only=True, render=lambda lb: []),
    f.Field('listeners', read_only=True,
            render=lambda lb: [{'id': i} for i in lb.child_ids['listeners']]),
    f.Field('pools', read_only=True,
            render=lambda lb: [{'id': i} for i in lb.child_ids['pools']]),
    f.Field('provider', 'str', put=False, max_length=64),
    f.Field('flavor_id', 'uuid', put=False),
    f.Field('availability_zone', 'str', put=False),
    f.Field('topology', read_only=True),
    f.Field('fault', read_only=True),
]


class LoadBalancerSpec(base.Spec):
    # Everything rendering reads is loaded by create (VIP, child ids).
    render_after_commit = True

    def list_from(self):
        return sa.join(m.LoadBalancer, m.Vip)

    def build_statement(self):
        return lb_q.with_vip(self.load)

    def read_statement(self):
        return lb_q.READ_STATEMENT

    def read_rows(self, session, stmt):
        return lb_q.read_rows(session, stmt)

    def prepare(self, session, lbs):
        # Listener and pool ids of every load balancer of the response in
        # one query, instead of a relationship load per collection.
        by_id = {lb.id: lb for lb in lbs
                 if getattr(lb, 'child_ids', None) is None}
        for lb in by_id.values():
            lb.child_ids = {'listeners': [], 'pools': []}
        if not by_id:
            return
        for kind, lb_id, child_id in lb_q.child_ids(session, list(by_id)):
            by_id[lb_id].child_ids[kind].append(child_id)


SPEC = LoadBalancerSpec(
    m.LoadBalancer, 'loadbalancer', 'loadbalancers', 'Load Balancer',
    'loadbalancer', FIELDS, rpc_name='load_balancer')


def _resolve_vip_subnet(values):
    """The VIP's subnet, asked of the network driver: the given subnet,
    or the first of the given network's subnets (of the VIP address's
    IP version when one is given)."""
    subnet_ref = values.pop('vip_subnet_id', None)
    network_ref = values.pop('vip_network_id', None)
    port_ref = values.pop('vip_port_id', None)
    address = values.get('vip_address')
    if port_ref:
        raise exceptions.InvalidInput(
            'vip_port_id', port_ref,
            'Pre-created ports are not supported; give vip_subnet_id.')
    network = drivers.get('network')
    if subnet_ref:
        subnet = network.get_subnet(subnet_ref, address=address)
        if subnet is None:
            raise exceptions.InvalidInput(
                'vip_subnet_id', subnet_ref, 'Subnet %s not found.'
                % subnet_ref)
        if network_ref and network_ref not in (subnet.network_id,
                                               subnet.network_name):
            raise exceptions.InvalidInput(
                'vip_network_id', network_ref,
                'Subnet %s is not on this network.' % subnet_ref)
        return subnet
    if network_ref:
        found = network.network_subnets(network_ref)
        if not found:
            raise exceptions.InvalidInput(
                'vip_network_id', network_ref, 'Network %s not found.'
                % network_ref)
        if address is not None:
            version = ipaddress.ip_address(address).version
            found = [s for s in found if s.ip_version == version] or found
        return found[0]
    raise exceptions.ValidationError(
        'VIP must contain one of: vip_port_id, vip_network_id, '
        'vip_subnet_id.')


def _flavor_data(session, flavor_id, provider):
    if not flavor_id:
        return {}
    flavor = session.get(m.Flavor, flavor_id)
    if flavor is None:
        raise exceptions.InvalidInput('flavor_id', flavor_id,
                                      'Flavor %s not found.' % flavor_id)
    if not flavor.enabled:
        raise exceptions.InvalidInput('flavor_id', flavor_id,
                                      'The flavor is disabled.')
    if flavor.flavor_profile.provider_name != provider:
        raise exceptions.InvalidInput(
            'flavor_id', flavor_id, 'The flavor is for provider %s.'
            % flavor.flavor_profile.provider_name)
    return flavors.parse_flavor_data(flavor.flavor_profile.flavor_data)


class LoadBalancersController(base.ResourceController):
    spec = SPEC

    def create(self, session, ctx, values):
        provider = values.get('provider') or \
            CONF.api_settings.default_provider_driver
        if provider not in CONF.api_settings.enabled_provider_drivers:
            raise exceptions.InvalidInput(
                'provider', provider, 'Provider %s is not enabled.'
                % provider)
        values['provider'] = provider
        project_id = values.get('project_id') or ctx.project_id
        if not project_id:
            raise exceptions.ValidationError(
                'Missing project ID in request where one is required.')
        values['project_id'] = project_id
        policy.authorize(ctx, 'loadbalancer', 'post', project_id)
        if values.get('vip_sg_ids'):
            policy.authorize(ctx, 'loadbalancer', 'post:vip_sg_ids',
                             project_id)
        subnet = _resolve_vip_subnet(values)
        availability_zones.check_for_load_balancer(
            session, values.get('availability_zone'),
            (subnet.network_id, subnet.network_name))
        settings = flavors.settings(_flavor_data(
            session, values.get('flavor_id'), provider))
        # Also when the topology is the configured default.
        support.check_topology(settings.topology, 'flavor_id')
        base.check_quota(session, ctx, m.LoadBalancer, 'load_balancer',
                         project_id)
        vip_address = values.pop('vip_address', None)
        qos = values.pop('vip_qos_policy_id', None)
        sg_ids = values.pop('vip_sg_ids', None) or []
        # The id is made here so nothing needs flushing before the VIP,
        # and the load balancer joins the session only with its VIP and
        # cluster set: assigning a one-to-one relationship of a flushed
        # row first loads the old value (two SELECTs under the write
        # lock), and the IPAM's queries would flush it.
        lb = m.LoadBalancer(id=uuidutils.generate_uuid(),
                            topology=settings.topology,
                            provisioning_status=c.PENDING_CREATE,
                            operating_status=c.OFFLINE, **values)
        vip = drivers.get('network').allocate_vip(lb.id, subnet, vip_address,
                                                  session=session)
        lb.vip = m.Vip(qos_policy_id=qos, sg_ids=sg_ids, **vip)
        lb.cluster = topology.get(settings.topology).new_cluster(
            lb, settings)
        # A new load balancer has no listeners or pools (prepare need not
        # ask).
        lb.child_ids = {'listeners': [], 'pools': []}
        session.add(lb)
        return lb

    def update(self, session, ctx, lb, values):
        if 'vip_sg_ids' in values:
            policy.authorize(ctx, 'loadbalancer', 'put:vip_sg_ids',
                             lb.project_id)
        lifecycle.lock_load_balancer(session, lb, listeners=False)
        for key in ('vip_qos_policy_id', 'vip_sg_ids'):
            if key in values:
                setattr(lb.vip, key[4:], values.pop(key))
        for key, value in values.items():
            setattr(lb, key, value)

    def remove(self, session, ctx, lb):
        cascade = pecan.request.GET.get('cascade', 'false').lower() in (
            'true', '1', 'yes')
        if not cascade and (lb.listeners or lb.pools):
            raise exceptions.ValidationError(
                'Cannot delete Load Balancer %s - it has children' % lb.id)
        lifecycle.lock_load_balancer(session, lb, c.DELETABLE_STATUSES,
                                     c.PENDING_DELETE, listeners=False)
        if cascade:
            lb_q.mark_children_deleting(session, lb.id)
        return {'cascade': cascade}

    @pecan.expose()
    def _lookup(self, lb_id, *remainder):
        if remainder and remainder[0] in ('status', 'statuses', 'stats',
                                          'failover'):
            return LoadBalancerActions(lb_id, remainder[0]), remainder[1:]
        self.unrouted(remainder)


def status_tree(lb):
    def hm(pool):
        h = pool.health_monitor
        if h is None:
            return None
        return {'id': h.id, 'name': h.name, 'type': h.type,
                'provisioning_status': h.provisioning_status,
                'operating_status': h.operating_status}

    def pool_status(pool):
        out = {'id': pool.id, 'name': pool.name,
               'provisioning_status': pool.provisioning_status,
               'operating_status': pool.operating_status,
               'members': [{'id': mb.id, 'name': mb.name,
                            'address': mb.ip_address,
                            'protocol_port': mb.protocol_port,
                            'provisioning_status': mb.provisioning_status,
                            'operating_status': mb.operating_status}
                           for mb in pool.members]}
        if pool.health_monitor is not None:
            out['health_monitor'] = hm(pool)
        return out

    def listener_pools(listener):
        pools = {}
        if listener.default_pool is not None:
            pools[listener.default_pool.id] = listener.default_pool
        for pol in listener.l7policies:
            if pol.redirect_pool_id:
                pools.setdefault(pol.redirect_pool_id, next(
                    (p for p in lb.pools if p.id == pol.redirect_pool_id),
                    None))
        return [pool_status(p) for p in pools.values() if p is not None]

    return {'statuses': {'loadbalancer': {
        'id': lb.id, 'name': lb.name,
        'provisioning_status': lb.provisioning_status,
        'operating_status': lb.operating_status,
        'listeners': [{'id': li.id, 'name': li.name,
                       'provisioning_status': li.provisioning_status,
                       'operating_status': li.operating_status,
                       'pools': listener_pools(li)}
                      for li in lb.listeners]}}}


def stats_of(session, listener_ids):
    return {'stats': listener_q.statistics_sum(session, listener_ids)}


class LoadBalancerActions(base.ActionController):
    def _find(self, session, ctx, action):
        return LoadBalancersController().find(session, self.obj_id, ctx,
                                              action)

    def get_status(self, ctx):
        with db_api.session_scope(readonly=True) as session:
            return status_tree(self._find(session, ctx, 'get_status'))

    get_statuses = get_status

    def get_stats(self, ctx):
        with db_api.session_scope(readonly=True) as session:
            lb = self._find(session, ctx, 'get_stats')
            return stats_of(session, [li.id for li in lb.listeners])

    def put_failover(self, ctx):
        with db_api.session_scope() as session:
            lb = self._find(session, ctx, 'put_failover')
            lifecycle.lock_load_balancer(session, lb, c.FAILOVERABLE_STATUSES,
                                         listeners=False)
        self.accepted('failover_load_balancer', lambda e: (
            LoadBalancersController().mark_cast_failed(lb.id, e)),
            load_balancer_id=lb.id)
