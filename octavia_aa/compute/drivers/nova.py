"""Compute driver: an amphora or a distributor is a Nova server.

The server boots the Glance image found by its tag (the spec's
image_tag: the flavor profile's amp_image_tag or [controller_worker]),
with the spec's compute flavor, availability zone (the zone profile's
compute_zone, else [nova] availability_zone) and server group (a
scheduler hint), on the ports the network driver made (attached by id),
and gets its boot files on the config drive as user data
(octavia_aa.compute.config_drive).  Everything goes through openstacksdk
as the [service_auth] user.
"""
import base64
import logging
import time

import openstack
from openstack import exceptions as sdk_exc
from oslo_config import cfg

from octavia_aa.common import exceptions
from octavia_aa.common import service_auth
from octavia_aa.compute import config_drive
from octavia_aa.compute.drivers import base
from octavia_aa.compute.drivers import nova_opts

LOG = logging.getLogger(__name__)

# Server metadata: which entity a server is, and its management address
# (the first port's), so wait_active needs no network lookup.
META_KIND = 'octavia-aa-kind'
META_ID = 'octavia-aa-id'
META_MGMT_IP = 'octavia-aa-lb-network-ip'

_STATUS = {'ACTIVE': 'ACTIVE', 'BUILD': 'BUILDING', 'REBUILD': 'BUILDING',
           'ERROR': 'ERROR', 'DELETED': 'DELETED',
           'SOFT_DELETED': 'DELETED'}


class ComputeBuildError(exceptions.OctaviaAAError):
    """A server that could not be made or did not become ACTIVE."""


class NovaComputeDriver(base.ComputeDriver):

    def __init__(self, conf=None):
        self.conf = conf or cfg.CONF
        self.opts = nova_opts.register_opts(self.conf)
        self._conn = None

    @property
    def conn(self):
        # Made on first use: a process that builds nothing needs no
        # Keystone.
        if self._conn is None:
            self._conn = openstack.connection.Connection(
                session=service_auth.session(self.conf),
                region_name=self.opts.region_name,
                interface=self.opts.endpoint_type)
        return self._conn

    # -- building ---------------------------------------------------------
    def _image_id(self, tag):
        if not tag:
            raise ComputeBuildError(
                'No image tag: set amp_image_tag in the flavor profile or '
                '[controller_worker] amp_image_tag / distributor_image_tag.')
        query = {'tag': tag, 'status': 'active', 'sort_key': 'created_at',
                 'sort_dir': 'desc'}
        if self.opts.image_owner_id:
            query['owner'] = self.opts.image_owner_id
        for image in self.conn.image.images(**query):
            return image.id
        raise ComputeBuildError('No active image tagged %s%s in Glance.' % (
            tag, ' owned by %s' % self.opts.image_owner_id
            if self.opts.image_owner_id else ''))

    def _flavor_id(self, name_or_id):
        if not name_or_id:
            raise ComputeBuildError(
                'No compute flavor: set compute_flavor in the flavor '
                'profile or [controller_worker] amp_flavor_id / '
                'distributor_flavor_id.')
        flavor = self.conn.compute.find_flavor(name_or_id,
                                               ignore_missing=True)
        if flavor is None:
            raise ComputeBuildError('No Nova flavor %s.' % name_or_id)
        return flavor.id

    def _existing(self, name):
        """A retried build finds the server the first try made."""
        for server in self.conn.compute.servers(name='^%s$' % name):
            if server.status not in ('ERROR', 'DELETED', 'SOFT_DELETED'):
                return server.id
        return None

    def build(self, spec):
        found = self._existing(spec.name)
        if found:
            return found
        zone = (spec.availability_zone or {}).get('compute_zone') or \
            self.opts.availability_zone
        attrs = {
            'name': spec.name,
            'image_id': self._image_id(spec.image_tag),
            'flavor_id': self._flavor_id(spec.compute_flavor),
            'networks': [{'port': port.id} for port in spec.ports],
            'config_drive': True,
            'user_data': base64.b64encode(
                config_drive.user_data(list(spec.boot_files))).decode(),
            'metadata': {META_KIND: spec.kind, META_ID: spec.entity_id,
                         META_MGMT_IP: spec.ports[0].ip_address
                         if spec.ports else ''}}
        if zone:
            attrs['availability_zone'] = zone
        if spec.server_group_id:
            attrs['scheduler_hints'] = {'group': spec.server_group_id}
        try:
            server = self.conn.compute.create_server(**attrs)
        except sdk_exc.SDKException as e:
            raise ComputeBuildError('Nova refused server %s: %s'
                                    % (spec.name, e))
        LOG.info('Server %s (%s) requested for %s %s', server.id,
                 spec.name, spec.kind, spec.entity_id)
        return server.id

    def wait_active(self, compute_id):
        deadline = time.monotonic() + self.opts.build_timeout
        pause = 1.0
        while True:
            server = self.conn.compute.get_server(compute_id)
            if server.status == 'ACTIVE':
                return {'lb_network_ip': (server.metadata or {}).get(
                    META_MGMT_IP) or None}
            if server.status == 'ERROR':
                fault = (server.fault or {}).get('message', 'no fault')
                raise ComputeBuildError('Server %s went to ERROR: %s'
                                        % (compute_id, fault))
            if time.monotonic() + pause > deadline:
                raise ComputeBuildError(
                    'Server %s still %s after %ss' % (
                        compute_id, server.status, self.opts.build_timeout))
            time.sleep(pause)
            pause = min(pause * 2, self.opts.build_max_interval)

    def status(self, compute_id):
        try:
            server = self.conn.compute.get_server(compute_id)
        except sdk_exc.NotFoundException:
            return 'DELETED'
        # SHUTOFF, PAUSED, ...: not serving, to be replaced.
        return _STATUS.get(server.status, 'ERROR')

    def delete(self, compute_id):
        try:
            self.conn.compute.delete_server(compute_id, ignore_missing=True)
            server = self.conn.compute.find_server(compute_id,
                                                   ignore_missing=True)
            if server is not None:
                self.conn.compute.wait_for_delete(
                    server, wait=self.opts.build_timeout)
        except sdk_exc.NotFoundException:
            pass

    # -- server groups ----------------------------------------------------
    def create_server_group(self, name, policy='anti-affinity'):
        # The operator's choice between hard and soft anti-affinity.
        policy = self.opts.anti_affinity_policy if policy == \
            'anti-affinity' else policy
        return self.conn.compute.create_server_group(
            name=name, policy=policy).id

    def delete_server_group(self, server_group_id):
        self.conn.compute.delete_server_group(server_group_id,
                                              ignore_missing=True)

    # -- availability zones -----------------------------------------------
    def validate_availability_zone(self, zone_data):
        zone = (zone_data or {}).get('compute_zone')
        if not zone:
            return
        names = {z.name for z in self.conn.compute.availability_zones()}
        if zone not in names:
            raise exceptions.InvalidInput(
                'compute_zone', zone, 'Nova has no such availability zone '
                '(it has: %s).' % ', '.join(sorted(names)))
