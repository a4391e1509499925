"""/v2/lbaas/availabilityzones, /v2/lbaas/availabilityzoneprofiles and
/v2/lbaas/providers/{provider}/availability_zone_capabilities, shaped as
upstream's: a zone is named by its name (no id), profiles are admin's, a
profile used by a zone and a zone used by a load balancer cannot go."""
from oslo_db import exception as db_exc
import pecan

from octavia_aa.api import fields as f
from octavia_aa.api import pagination
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import flavor
from octavia_aa.common import availability_zones as azs
from octavia_aa.common import exceptions
from octavia_aa.common import policy
from octavia_aa.db import models as m
from octavia_aa.db.queries import availability_zone as az_q

NIL_UUID = '00000000-0000-0000-0000-000000000000'

PROFILE_FIELDS = [
    f.Field('id', 'uuid', read_only=True),
    # Nullable here so that null gets upstream's own message (below).
    f.Field('name', required=True, nullable=True),
    f.Field('provider_name', required=True, nullable=True),
    f.Field('availability_zone_data', required=True, nullable=True,
            max_length=4096),
]
ZONE_FIELDS = [
    f.Field('name', required=True, put=False),
    f.Field('description', default=''),
    f.Field('enabled', 'bool', default=True, nullable=False),
    f.Field('availability_zone_profile_id', 'uuid', required=True,
            put=False),
]

PROFILE_SPEC = base.Spec(
    m.AvailabilityZoneProfile, 'availability_zone_profile',
    'availability_zone_profiles', 'Availability Zone Profile',
    'availability-zone-profile', PROFILE_FIELDS)
ZONE_SPEC = base.Spec(
    m.AvailabilityZone, 'availability_zone', 'availability_zones',
    'Availability Zone', 'availability-zone', ZONE_FIELDS)


def _refuse_nulls(values, method):
    for key in ('name', 'provider_name', 'availability_zone_data'):
        if key in values and values[key] is None:
            if method == 'POST':
                raise exceptions.InvalidInput(key, None,
                                              'Mandatory field missing.')
            raise azs.InvalidOption(None, key)


class _Named(flavor.SyncController):
    """Upstream answers 404 for the nil UUID before anything else."""

    def find(self, session, obj_id, ctx=None, action='get_one',
             display=None):
        if ctx is not None:
            policy.authorize(ctx, self.spec.policy, action)
        if obj_id == NIL_UUID:
            raise exceptions.NotFound(self.spec.display, obj_id)
        return super().find(session, obj_id, None, action, display)


class AvailabilityZoneProfilesController(_Named):
    spec = PROFILE_SPEC

    @pecan.expose('json')
    def get_all(self, *args, **kwargs):
        out = super().get_all(*args, **kwargs)
        # Upstream's key (singular "profile"), which clients read.
        out['availability_zone_profile_links'] = out.pop(
            'availability_zone_profiles_links')
        return out

    def create(self, session, ctx, values):
        policy.authorize(ctx, self.spec.policy, 'post')
        _refuse_nulls(values, 'POST')
        flavor._check_provider(values['provider_name'])
        azs.parse(values['availability_zone_data'], values['provider_name'])
        return m.AvailabilityZoneProfile(**values)

    def update(self, session, ctx, profile, values):
        _refuse_nulls(values, 'PUT')
        if 'provider_name' in values or 'availability_zone_data' in values:
            if self._used_by(session, profile.id):
                raise exceptions.Conflict(
                    'Availability Zone Profile %s is in use and cannot be '
                    'modified.' % profile.id)
        provider = values.get('provider_name', profile.provider_name)
        if 'provider_name' in values:
            flavor._check_provider(provider)
        if 'availability_zone_data' in values:
            azs.parse(values['availability_zone_data'], provider)
        for key, value in values.items():
            setattr(profile, key, value)

    def remove(self, session, ctx, profile):
        if self._used_by(session, profile.id):
            raise exceptions.Conflict(
                'Availability Zone Profile %s is in use and cannot be '
                'modified.' % profile.id)
        session.delete(profile)

    @staticmethod
    def _used_by(session, profile_id):
        return az_q.zone_using_profile(session, profile_id)


class AvailabilityZonesController(_Named):
    spec = ZONE_SPEC

    def create(self, session, ctx, values):
        policy.authorize(ctx, self.spec.policy, 'post')
        profile_id = values['availability_zone_profile_id']
        if values['name'] is None:
            raise exceptions.InvalidInput('name', None,
                                          'Mandatory field missing.')
        if session.get(m.AvailabilityZoneProfile, profile_id) is None:
            raise exceptions.InvalidInput(
                'availability_zone_profile_id', profile_id,
                'Availability Zone Profile %s not found.' % profile_id)
        duplicate = exceptions.Conflict(
            'A availability zone of %s already exists.' % values['name'])
        if session.get(m.AvailabilityZone, values['name']) is not None:
            raise duplicate
        zone = m.AvailabilityZone(**values)
        session.add(zone)
        try:
            # Two creates of one name at once: the second is a 409 too.
            session.flush()
        except db_exc.DBDuplicateEntry:
            raise duplicate
        return zone

    def update(self, session, ctx, zone, values):
        for key, value in values.items():
            setattr(zone, key, value)

    def remove(self, session, ctx, zone):
        # Locked first, so a load balancer being made in this zone (which
        # share-locks it) is either seen below or made after it is gone.
        az_q.lock(session, zone.name)
        if az_q.load_balancer_in(session, zone.name):
            raise exceptions.Conflict(
                'Availability Zone %s is in use and cannot be modified.'
                % zone.name)
        session.delete(zone)


class AzCapabilities:
    """What availability_zone_data may hold for this provider."""

    @pecan.expose('json')
    def index(self, **kwargs):
        base.read_only('availability_zone_capabilities')
        policy.authorize(base.context(), 'provider-availability-zone',
                         'get_all')
        return {'availability_zone_capabilities': pagination.static_list(
            [{'name': key, 'description': desc}
             for key, (_, desc) in azs.KEYS.items()], pecan.request.GET)}
