"""/v2/lbaas/flavors and /v2/lbaas/flavorprofiles: written at once, no
worker involved, except that new cluster sizes in a used flavor profile
resize the clusters of the load balancers made from it."""
import json

import pecan

from octavia_aa import topology
from octavia_aa.api import fields as f
from octavia_aa.api import pagination
from octavia_aa.api import support
from octavia_aa.api.v2.controllers import base
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.common import flavors
from octavia_aa.common import policy
from octavia_aa.common import rpc
from octavia_aa.db import lifecycle
from octavia_aa.db import models as m
from octavia_aa.db.queries import flavor as flavor_q

CONF = config.CONF

PROFILE_FIELDS = [
    f.Field('id', 'uuid', read_only=True),
    f.Field('name', required=True, nullable=False),
    f.Field('provider_name', required=True, nullable=False),
    f.Field('flavor_data', 'str', required=True, nullable=False,
            max_length=4096),
]
FLAVOR_FIELDS = [
    f.Field('id', 'uuid', read_only=True),
    f.Field('name', required=True, nullable=False),
    f.Field('description', default=''),
    f.Field('enabled', 'bool', default=True, nullable=False),
    f.Field('flavor_profile_id', 'uuid', required=True, put=False),
]

PROFILE_SPEC = base.Spec(m.FlavorProfile, 'flavorprofile', 'flavorprofiles',
                         'Flavor profile', 'flavor-profile', PROFILE_FIELDS)
FLAVOR_SPEC = base.Spec(m.Flavor, 'flavor', 'flavors', 'Flavor', 'flavor',
                        FLAVOR_FIELDS)


def _check_provider(name):
    if name not in CONF.api_settings.enabled_provider_drivers:
        raise exceptions.InvalidInput('provider_name', name,
                                      'Provider %s is not enabled.' % name)


def _check_served(data):
    if c.FLAVOR_TOPOLOGY in data:
        support.check_topology(data[c.FLAVOR_TOPOLOGY],
                               'flavor_data.' + c.FLAVOR_TOPOLOGY)


class SyncController(base.ResourceController):
    """Objects the API writes itself: no cast, no PENDING state."""

    def _cast(self, action, obj, **kwargs):
        pass


class FlavorProfilesController(SyncController):
    spec = PROFILE_SPEC

    def create(self, session, ctx, values):
        policy.authorize(ctx, self.spec.policy, 'post')
        _check_provider(values['provider_name'])
        data = flavors.parse_flavor_data(values['flavor_data'])
        _check_served(data)
        values['flavor_data'] = json.dumps(data)
        return m.FlavorProfile(**values)

    def update(self, session, ctx, profile, values):
        if 'provider_name' in values:
            _check_provider(values['provider_name'])
        old = json.loads(profile.flavor_data)
        new = old
        if 'flavor_data' in values:
            new = flavors.parse_flavor_data(values['flavor_data'])
            _check_served(new)
            values['flavor_data'] = json.dumps(new)
        resize = []
        if values.get('provider_name', profile.provider_name) != \
                profile.provider_name or not flavors.only_sizes_differ(
                    old, new):
            self._refuse_if_used(session, profile,
                                 ' (only %s may change while it is used)'
                                 % ', '.join(flavors.SIZE_KEYS))
        elif new != old:
            resize = _apply_sizes(session, profile.id, new)
        for key, value in values.items():
            setattr(profile, key, value)
        return {'resize_clusters': resize}

    def _cast(self, action, obj, resize_clusters=(), **kwargs):
        for cluster_id in resize_clusters:
            rpc.cast('resize_cluster', cluster_id=cluster_id)

    def remove(self, session, ctx, profile):
        self._refuse_if_used(session, profile)
        session.delete(profile)

    def _refuse_if_used(self, session, profile, why=''):
        used = flavor_q.flavor_using_profile(session, profile.id)
        if used:
            raise exceptions.Conflict('Flavor profile %s is in use by flavor '
                                      '%s%s.' % (profile.id, used, why))


def _apply_sizes(session, profile_id, data):
    """New sizes of a flavor profile onto the clusters of every load
    balancer made from it; returns the clusters to resize now (ACTIVE and
    out of cooldown, locked here like a PUT on the cluster).  The cluster
    manager resizes the others once they are ACTIVE and cooled down."""
    sizes = flavors.settings(data)
    clusters = flavor_q.clusters_of_profile(session, profile_id)
    now = []
    for cluster in clusters:
        cluster.desired_size = sizes.desired_size
        cluster.min_size = sizes.min_size
        cluster.standby_count = sizes.standby_count
        cluster.cooldown = sizes.cooldown
        lb = cluster.load_balancer
        add, remove = topology.get(lb.topology).resize_plan(lb)
        if not (add or remove) or cluster.cooldown_left():
            continue
        # Conditional: a load balancer some flow holds is left to the
        # cluster manager rather than failing the whole change.
        if lifecycle.try_lock_for_repair(session, lb, cluster=True):
            now.append(cluster.id)
    return now


class FlavorsController(SyncController):
    spec = FLAVOR_SPEC

    def create(self, session, ctx, values):
        policy.authorize(ctx, self.spec.policy, 'post')
        if session.get(m.FlavorProfile, values['flavor_profile_id']) is None:
            raise exceptions.InvalidInput(
                'flavor_profile_id', values['flavor_profile_id'],
                'Flavor profile %s not found.' % values['flavor_profile_id'])
        if flavor_q.flavor_named(session, values['name']):
            raise exceptions.Conflict('A flavor named %s already exists.'
                                      % values['name'])
        return m.Flavor(**values)

    def update(self, session, ctx, flavor, values):
        if values.get('name') is not None and \
                values['name'] != flavor.name and \
                flavor_q.flavor_named(session, values['name']):
            raise exceptions.Conflict('A flavor named %s already exists.'
                                      % values['name'])
        for key, value in values.items():
            setattr(flavor, key, value)

    def remove(self, session, ctx, flavor):
        used = flavor_q.load_balancer_using(session, flavor.id)
        if used:
            raise exceptions.Conflict('Flavor %s is in use by load balancer '
                                      '%s.' % (flavor.id, used))
        session.delete(flavor)


class ProvidersController:
    @pecan.expose('json')
    def index(self):
        base.read_only('providers')
        policy.authorize(base.context(), 'provider', 'get_all')
        return {'providers': pagination.static_list([
            {'name': name, 'description': desc}
            for name, desc in CONF.api_settings.enabled_provider_drivers
            .items()], pecan.request.GET)}

    @pecan.expose()
    def _lookup(self, provider, *remainder):
        if provider not in CONF.api_settings.enabled_provider_drivers:
            raise exceptions.NotFound('Provider', provider)
        if remainder and remainder[0] == 'flavor_capabilities':
            return FlavorCapabilities(), remainder[1:]
        if remainder and remainder[0] == \
                'availability_zone_capabilities':
            # Imported here: that module builds on this one.
            from octavia_aa.api.v2.controllers import availability_zone
            return availability_zone.AzCapabilities(), remainder[1:]
        pecan.abort(404)


class FlavorCapabilities:
    @pecan.expose('json')
    def index(self, **kwargs):
        base.read_only('flavor_capabilities')
        policy.authorize(base.context(), 'provider-flavor', 'get_all')
        return {'flavor_capabilities': pagination.static_list([
            {'name': key, 'description': desc}
            for key, (_, _, desc) in sorted(flavors.KEYS.items())],
            pecan.request.GET)}
