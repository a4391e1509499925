"""/v2/octavia/distributors (admin): create, list, show, delete."""
from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.common import policy
from octavia_aa.db import lifecycle
from octavia_aa.db import models as m
from octavia_aa.db.queries import distributor as distributor_q

FIELDS = [
    f.Field('id', 'uuid', read_only=True),
    f.Field('name', default=None),
    f.Field('lb_network_ip', 'ip', default=None),
    f.Field('role', 'enum', choices=c.DISTRIBUTOR_ROLES,
            default=c.ROLE_STANDALONE, nullable=False),
    f.Field('peer_id', 'uuid', default=None),
    f.Field('max_load_balancers', 'int', minimum=1, maximum=100000,
            default=100, nullable=False),
    f.Field('compute_id', read_only=True),
    f.Field('vrrp_ip', read_only=True),
    f.Field('status', read_only=True),
    f.Field('fault', read_only=True),
    f.Field('load_balancers', read_only=True,
            render=lambda d: [{'id': cl.load_balancer_id}
                              for cl in d.clusters]),
    f.Field('cert_expiration', read_only=True,
            render=f.timestamp('cert_expiration')),
    f.Field('created_at', read_only=True, render=f.timestamp('created_at')),
    f.Field('updated_at', read_only=True, render=f.timestamp('updated_at')),
]

SPEC = base.Spec(m.Distributor, 'distributor', 'distributors',
                 'Distributor', 'distributor', FIELDS)


class DistributorsController(base.ResourceController):
    spec = SPEC

    def create(self, session, ctx, values):
        policy.authorize(ctx, 'distributor', 'post')
        peer_id = values.get('peer_id')
        if peer_id:
            peer = session.get(m.Distributor, peer_id)
            if peer is None:
                raise exceptions.InvalidInput('peer_id', peer_id,
                                              'Distributor %s not found.'
                                              % peer_id)
            if values['role'] == c.ROLE_STANDALONE:
                raise exceptions.InvalidInput(
                    'role', values['role'], 'A distributor with a peer is '
                                            'MASTER or BACKUP.')
        return m.Distributor(status=c.PENDING_CREATE, **values)

    def remove(self, session, ctx, distributor):
        used = distributor_q.clusters_served(session, distributor.id)
        if used:
            raise exceptions.Conflict(
                'Distributor %s still serves %d load balancer(s).'
                % (distributor.id, used))
        lifecycle.lock_distributor_for_delete(session, distributor)

    def mark_cast_failed(self, obj_id, error):
        from octavia_aa.db import api as db_api
        with db_api.session_scope() as session:
            lifecycle.to_error(session.get(m.Distributor, obj_id),
                               lifecycle.CAST_FAILED % error)
