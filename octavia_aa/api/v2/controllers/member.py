"""/v2/lbaas/pools/{pool_id}/members, including the batch update."""
import ipaddress

import pecan

from octavia_aa.api import fields as f
from octavia_aa.api import support
from octavia_aa.api.v2.controllers import base
from octavia_aa.api.v2.controllers import child
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import exceptions
from octavia_aa.common import policy
from octavia_aa.common import rpc
from octavia_aa.db import api as db_api
from octavia_aa.db import lifecycle
from octavia_aa.db import models as m
from octavia_aa.db.queries import member as member_q

CONF = config.CONF

FIELDS = f.common(description=False) + [
    f.Field('address', 'ip', attr='ip_address', put=False, required=True),
    f.Field('protocol_port', 'int', minimum=1, maximum=65535, put=False,
            required=True),
    f.Field('weight', 'int', minimum=0, maximum=256, default=1,
            nullable=False),
    f.Field('backup', 'bool', default=False, nullable=False),
    f.Field('subnet_id', 'str', put=False, default=None),
    f.Field('monitor_address', 'ip', default=None),
    f.Field('monitor_port', 'int', minimum=1, maximum=65535, default=None),
    # Not stored: upstream refuses True unless the flavor allows SR-IOV
    # member ports, which no octavia-aa flavor does.
    f.Field('request_sriov', 'bool', put=False, default=False,
            nullable=False, render=lambda mb: None),
    f.Field('vnic_type', read_only=True),
    f.Field('pool_id', read_only=True),
    f.Field('fault', read_only=True),
]


class MemberSpec(base.Spec):
    def render(self, obj, only=None):
        out = super().render(obj, only)
        out.pop('request_sriov', None)
        return out


SPEC = MemberSpec(m.Member, 'member', 'members', 'Member', 'member', FIELDS)


def _check_address(values):
    """Upstream's ip_not_reserved and the SR-IOV flavor rule."""
    if values.pop('request_sriov', False):
        raise exceptions.InvalidInput(
            'request_sriov', True, 'The load balancer flavor does not allow '
                                   'SR-IOV member ports.')
    address = values['ip_address']
    reserved = {ipaddress.ip_address(ip) for ip in
                CONF.networking.reserved_ips}
    if ipaddress.ip_address(address) in reserved:
        raise exceptions.InvalidInput(
            'address', address, '%s is not a valid option for member '
                                'address' % address)


def _subnet(values):
    ref = values.get('subnet_id')
    if ref is None:
        return
    subnet = drivers.get('network').get_subnet(ref,
                                               address=values.get('ip_address'))
    if subnet is None:
        raise exceptions.InvalidInput('subnet_id', ref,
                                      'Subnet %s not found.' % ref)
    values['subnet_id'] = subnet.id


class MembersController(child.ChildController):
    spec = SPEC
    quota_name = 'member'

    def __init__(self, pool_id):
        self.pool_id = pool_id

    def scope(self, session, stmt):
        pool = session.get(m.Pool, self.pool_id)
        if pool is None:
            raise exceptions.NotFound('Pool', self.pool_id)
        return stmt.where(m.Member.pool_id == self.pool_id)

    def parent_project(self, session):
        return session.get(m.Pool, self.pool_id).project_id

    def load_balancer_of(self, member):
        return member.pool.load_balancer

    def build(self, session, ctx, values):
        pool = child.get_parent(session, m.Pool, self.pool_id, 'Pool')
        _check_address(values)
        support.check_member_family(pool, values['ip_address'])
        _subnet(values)
        dup = member_q.same_address(session, pool.id, values['ip_address'],
                                    values['protocol_port'])
        if dup:
            raise exceptions.Conflict(
                'Another member on this pool is already using ip %s on '
                'protocol_port %s' % (values['ip_address'],
                                      values['protocol_port']))
        member = m.Member(**values)
        member.pool = pool
        return member

    @pecan.expose('json')
    def put(self, *args, **kwargs):
        if args:
            return super().put(*args, **kwargs)
        return self._batch_update()

    def _batch_update(self):
        """PUT on the collection: the given list becomes the pool's
        members (or, with additive_only, is added/updated)."""
        ctx = base.context()
        body = base.json_body()
        if not isinstance(body, dict) or not isinstance(
                body.get('members'), list):
            raise exceptions.ValidationError(
                'the request body must be a JSON object with a "members" '
                'list.')
        additive = pecan.request.GET.get('additive_only', 'false').lower() \
            in ('true', '1', 'yes')
        wanted = [f.parse_body(FIELDS, {'member': item}, 'member', 'POST')
                  for item in body['members']]
        for values in wanted:
            _check_address(values)
        keys = [(v['ip_address'], v['protocol_port']) for v in wanted]
        if len(set(keys)) != len(keys):
            raise exceptions.ValidationError(
                'the members list names one address and port twice.')
        with db_api.session_scope() as session:
            pool = child.get_parent(session, m.Pool, self.pool_id, 'Pool')
            policy.authorize(ctx, 'member', 'put', pool.project_id)
            lb = pool.load_balancer
            lifecycle.lock_load_balancer(session, lb)
            existing = {(mb.ip_address, mb.protocol_port): mb
                        for mb in pool.members}
            base.check_quota(session, ctx, m.Member, 'member',
                             pool.project_id,
                             adding=len(set(keys) - set(existing)))
            new_ids, updated_ids, deleted_ids = [], [], []
            for values in wanted:
                support.check_member_family(pool, values['ip_address'])
                _subnet(values)
                # A member is in its pool's project, whatever the body
                # says (as for a single create).
                values.pop('project_id', None)
                key = (values['ip_address'], values['protocol_port'])
                member = existing.pop(key, None)
                if member is None:
                    member = m.Member(project_id=pool.project_id,
                                      provisioning_status=c.PENDING_CREATE,
                                      operating_status=c.OFFLINE, **values)
                    pool.members.append(member)
                    session.flush()
                    new_ids.append(member.id)
                else:
                    for k, v in values.items():
                        setattr(member, k, v)
                    member.provisioning_status = c.PENDING_UPDATE
                    updated_ids.append(member.id)
            if not additive:
                for member in existing.values():
                    member.provisioning_status = c.PENDING_DELETE
                    deleted_ids.append(member.id)
        rpc.cast('batch_update_members', pool_id=self.pool_id,
                 new_member_ids=new_ids, updated_member_ids=updated_ids,
                 deleted_member_ids=deleted_ids)
        pecan.response.status = 202
        return None
