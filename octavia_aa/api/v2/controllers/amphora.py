"""/v2/octavia/amphorae (admin): list, show, delete, stats, config,
failover."""
import pecan

from octavia_aa.api import fields as f
from octavia_aa.api.v2.controllers import base
from octavia_aa.common import constants as c
from octavia_aa.common import exceptions
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models as m
from octavia_aa.db.queries import listener as listener_q

FIELDS = [f.Field(name, read_only=True) for name in (
    'id', 'compute_id', 'lb_network_ip', 'vrrp_ip', 'ha_ip', 'vrrp_port_id',
    'ha_port_id', 'cert_busy', 'role', 'status', 'vrrp_interface',
    'vrrp_id', 'vrrp_priority', 'cached_zone', 'image_id', 'compute_flavor',
    'frontend_mac', 'fault')] + [
    f.Field('loadbalancer_id', read_only=True, attr='load_balancer_id'),
    f.Field('cert_expiration', read_only=True,
            render=f.timestamp('cert_expiration')),
    f.Field('created_at', read_only=True, render=f.timestamp('created_at')),
    f.Field('updated_at', read_only=True, render=f.timestamp('updated_at')),
]

SPEC = base.Spec(m.Amphora, 'amphora', 'amphorae', 'Amphora', 'amphora',
                 FIELDS)


class AmphoraeController(base.ResourceController):
    spec = SPEC

    def remove(self, session, ctx, amp):
        """Only an amphora in ERROR may be deleted, as upstream.  One
        that still serves a load balancer is replaced before it goes (its
        load balancer is locked for that); a spare one just goes."""
        if amp.status != c.ERROR:
            raise exceptions.Conflict(
                'Amphora %s is %s: only an amphora in ERROR can be '
                'deleted (fail it over instead).' % (amp.id, amp.status))
        if amp.load_balancer is not None:
            lifecycle.lock_load_balancer(session, amp.load_balancer,
                                         c.FAILOVERABLE_STATUSES,
                                         listeners=False)
        amp.status = c.PENDING_DELETE

    def mark_cast_failed(self, obj_id, error):
        with db_api.session_scope() as session:
            amp = session.get(m.Amphora, obj_id)
            lb_id = amp.load_balancer_id if amp else None
            lifecycle.to_error(amp, lifecycle.CAST_FAILED % error)
        if lb_id is not None:
            _lb_failed(lb_id, error)

    @pecan.expose()
    def _lookup(self, amphora_id, *remainder):
        if remainder and remainder[0] in ('stats', 'config', 'failover'):
            return AmphoraAction(self, amphora_id, remainder[0]), \
                remainder[1:]
        self.unrouted(remainder)


class AmphoraAction(base.ActionController):
    def __init__(self, controller, amphora_id, action):
        super().__init__(amphora_id, action)
        self.controller = controller

    def get_stats(self, ctx):
        with db_api.session_scope(readonly=True) as session:
            amp = self.controller.find(session, self.obj_id, ctx,
                                       'get_stats')
            rows = listener_q.statistics_of_amphora(session, amp.id)
            return {'amphora_stats': [
                {'id': amp.id, 'loadbalancer_id': amp.load_balancer_id,
                 'listener_id': r.listener_id, 'bytes_in': r.bytes_in,
                 'bytes_out': r.bytes_out,
                 'active_connections': r.active_connections,
                 'total_connections': r.total_connections,
                 'request_errors': r.request_errors} for r in rows]}

    def put_config(self, ctx):
        with db_api.session_scope(readonly=True) as session:
            amp = self.controller.find(session, self.obj_id, ctx,
                                       'put_config')
        self.accepted('update_amphora_agent_config', lambda e: None,
                      amphora_id=amp.id)

    def put_failover(self, ctx):
        with db_api.session_scope() as session:
            amp = self.controller.find(session, self.obj_id, ctx,
                                       'put_failover')
            if amp.load_balancer is None:
                raise exceptions.Conflict(
                    'Amphora %s serves no load balancer.' % amp.id)
            lifecycle.lock_load_balancer(session, amp.load_balancer,
                                         c.FAILOVERABLE_STATUSES,
                                         listeners=False)
            lb_id = amp.load_balancer_id
        self.accepted('failover_amphora', lambda e: _lb_failed(lb_id, e),
                      amphora_id=amp.id)


def _lb_failed(lb_id, error):
    with db_api.session_scope() as session:
        lifecycle.to_error(session.get(m.LoadBalancer, lb_id),
                           lifecycle.CAST_FAILED % error)
