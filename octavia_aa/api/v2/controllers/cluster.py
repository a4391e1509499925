"""/v2/octavia/clusters (admin): the amphora clusters of ACTIVE_ACTIVE
load balancers; PUT resizes one."""
import datetime

from sqlalchemy import orm

from octavia_aa import topology
from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.common import rpc
from octavia_aa.db import lifecycle
from octavia_aa.db import models as m


def _amphorae(cluster):
    lb = cluster.load_balancer
    return [{'id': a.id, 'role': a.role, 'status': a.status}
            for a in (lb.amphorae if lb else [])
            if a.status != c.DELETED]


def _cooldown_ends_at(cluster):
    """When the cooldown of the last resize ends; None once it has."""
    left = cluster.cooldown_left()
    if not left:
        return None
    return (cluster.last_resized_at + datetime.timedelta(
        seconds=cluster.cooldown)).isoformat()


def _pending_resize(cluster):
    """What the cluster manager will still do to reach the sizes (a
    resize under way, or one waiting for the cooldown: a flavor profile's
    new sizes), and from when; None when the sizes are reached."""
    lb = cluster.load_balancer
    if lb is None:
        return None
    try:
        add, remove = topology.get(lb.topology).resize_plan(lb)
    except ValueError:
        return None
    if not (add or remove):
        return None
    return {'add_active': add.count(c.ROLE_IN_CLUSTER),
            'add_standby': add.count(c.ROLE_IN_CLUSTER_STANDBY),
            'remove': list(remove),
            # None: now (or as soon as the cluster is ACTIVE again).
            'not_before': _cooldown_ends_at(cluster)}


FIELDS = [f.Field(name, read_only=True) for name in (
    'id', 'cluster_name', 'cluster_type', 'distributor_id',
    'provisioning_status', 'operating_status', 'enabled', 'affinity',
    'fault')] + [
    f.Field('loadbalancer_id', read_only=True, attr='load_balancer_id'),
    f.Field('desired_size', 'int', minimum=1, maximum=c.MAX_CLUSTER,
            nullable=False),
    f.Field('min_size', 'int', minimum=1, maximum=c.MAX_CLUSTER,
            nullable=False),
    f.Field('standby_count', 'int', minimum=0, maximum=c.MAX_CLUSTER,
            nullable=False),
    f.Field('cooldown', 'int', minimum=0, maximum=86400, nullable=False),
    f.Field('amphorae', read_only=True, render=_amphorae),
    f.Field('last_resized_at', read_only=True,
            render=f.timestamp('last_resized_at')),
    f.Field('cooldown_ends_at', read_only=True, render=_cooldown_ends_at),
    f.Field('pending_resize', read_only=True, render=_pending_resize),
    f.Field('created_at', read_only=True, render=f.timestamp('created_at')),
    f.Field('updated_at', read_only=True, render=f.timestamp('updated_at')),
]

SPEC = base.Spec(m.Cluster, 'cluster', 'clusters', 'Cluster', 'cluster',
                 FIELDS, load=[orm.selectinload(m.Cluster.load_balancer)
                               .selectinload(m.LoadBalancer.amphorae)])


class ClustersController(base.ResourceController):
    spec = SPEC

    def update(self, session, ctx, cluster, values):
        desired = values.get('desired_size', cluster.desired_size)
        minimum = values.get('min_size', cluster.min_size)
        if minimum > desired:
            raise exceptions.InvalidInput(
                'min_size', minimum, 'min_size (%d) must not be above '
                'desired_size (%d).' % (minimum, desired))
        resizing = desired != cluster.desired_size or values.get(
            'standby_count', cluster.standby_count) != cluster.standby_count
        left = cluster.cooldown_left()
        if resizing and left:
            raise exceptions.Conflict(
                'Cluster %s was resized at %s and is cooling down for '
                '%d more seconds (until %s).' % (
                    cluster.id, cluster.last_resized_at.isoformat(), left,
                    _cooldown_ends_at(cluster)))
        lifecycle.lock_load_balancer(session, cluster.load_balancer,
                                     listeners=False)
        lifecycle.lock_object(session, cluster, 'Cluster',
                              c.MUTABLE_STATUSES + (c.ERROR,))
        for key, value in values.items():
            setattr(cluster, key, value)

    def cast(self, action, obj, **kwargs):
        rpc.cast('resize_cluster', cluster_id=obj.id)
