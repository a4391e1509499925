"""/v2/lbaas/flavors and /v2/lbaas/flavorprofiles: written at once, no
worker involved."""
import json

import pecan
import sqlalchemy as sa

from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.common import config
from octavia_aa.common import exceptions
from octavia_aa.common import flavors
from octavia_aa.common import policy
from octavia_aa.db import models as m

CONF = config.CONF

PROFILE_FIELDS = [
    f.Field('id', 'uuid', read_only=True),
    f.Field('name', required=True, nullable=False),
    f.Field('provider_name', required=True, nullable=False, max_length=64),
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


class SyncController(base.ResourceController):
    """Objects the API writes itself: no cast, no PENDING state."""

    def _cast(self, action, obj, **kwargs):
        pass


class FlavorProfilesController(SyncController):
    spec = PROFILE_SPEC

    def create(self, session, ctx, values):
        policy.authorize(ctx, self.spec.policy, 'post')
        _check_provider(values['provider_name'])
        values['flavor_data'] = json.dumps(
            flavors.parse_flavor_data(values['flavor_data']))
        return m.FlavorProfile(**values)

    def update(self, session, ctx, profile, values):
        if 'provider_name' in values:
            _check_provider(values['provider_name'])
        if 'flavor_data' in values:
            values['flavor_data'] = json.dumps(
                flavors.parse_flavor_data(values['flavor_data']))
        self._refuse_if_used(session, profile)
        for key, value in values.items():
            setattr(profile, key, value)

    def remove(self, session, ctx, profile):
        self._refuse_if_used(session, profile)
        session.delete(profile)

    def _refuse_if_used(self, session, profile):
        used = session.scalar(sa.select(m.Flavor.id).where(
            m.Flavor.flavor_profile_id == profile.id).limit(1))
        if used:
            raise exceptions.Conflict('Flavor profile %s is in use by flavor '
                                      '%s.' % (profile.id, used))


class FlavorsController(SyncController):
    spec = FLAVOR_SPEC

    def create(self, session, ctx, values):
        policy.authorize(ctx, self.spec.policy, 'post')
        if session.get(m.FlavorProfile, values['flavor_profile_id']) is None:
            raise exceptions.InvalidInput(
                'flavor_profile_id', values['flavor_profile_id'],
                'Flavor profile %s not found.' % values['flavor_profile_id'])
        if session.scalar(sa.select(m.Flavor.id).where(
                m.Flavor.name == values['name'])):
            raise exceptions.Conflict('A flavor named %s already exists.'
                                      % values['name'])
        return m.Flavor(**values)

    def update(self, session, ctx, flavor, values):
        if values.get('name') and values['name'] != flavor.name and \
                session.scalar(sa.select(m.Flavor.id).where(
                    m.Flavor.name == values['name'])):
            raise exceptions.Conflict('A flavor named %s already exists.'
                                      % values['name'])
        for key, value in values.items():
            setattr(flavor, key, value)

    def remove(self, session, ctx, flavor):
        used = session.scalar(sa.select(m.LoadBalancer.id).where(
            m.LoadBalancer.flavor_id == flavor.id).limit(1))
        if used:
            raise exceptions.Conflict('Flavor %s is in use by load balancer '
                                      '%s.' % (flavor.id, used))
        session.delete(flavor)


class ProvidersController:
    @pecan.expose('json')
    def index(self):
        policy.authorize(base.context(), 'provider', 'get_all')
        return {'providers': [
            {'name': name, 'description': desc}
            for name, desc in CONF.api_settings.enabled_provider_drivers
            .items()]}

    @pecan.expose()
    def _lookup(self, provider, *remainder):
        if provider not in CONF.api_settings.enabled_provider_drivers:
            raise exceptions.NotFound('Provider', provider)
        if remainder and remainder[0] == 'flavor_capabilities':
            return FlavorCapabilities(), remainder[1:]
        if remainder and remainder[0] == \
                'availability_zone_capabilities':
            return AzCapabilities(), remainder[1:]
        pecan.abort(404)


class FlavorCapabilities:
    @pecan.expose('json')
    def index(self, **kwargs):
        policy.authorize(base.context(), 'provider-flavor', 'get_all')
        return {'flavor_capabilities': [
            {'name': key, 'description': desc}
            for key, (_, _, desc) in sorted(flavors.KEYS.items())]}


class AzCapabilities:
    @pecan.expose('json')
    def index(self, **kwargs):
        policy.authorize(base.context(), 'provider-flavor', 'get_all')
        return {'availability_zone_capabilities': []}
