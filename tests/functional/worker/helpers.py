"""Rows as the API writes them before it casts (RPC_CONTRACT.md), and
short queries for assertions."""
import types

import sqlalchemy as sa

from octavia_aa import topology as octavia_topology
from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker import objects
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.network import subnets

_overrides = []


def override(name, value, group=None):
    """CONF.set_override, undone by the db fixture after the test."""
    config.CONF.set_override(name, value, group=group)
    _overrides.append((name, group))


def clear_overrides():
    while _overrides:
        name, group = _overrides.pop()
        config.CONF.clear_override(name, group=group)


def get(model, id_):
    with db_api.session_scope() as session:
        return session.get(model, id_)


def rows(model, *where):
    with db_api.session_scope() as session:
        return list(session.scalars(sa.select(model).where(*where)))


def make_lb(topology=c.TOPOLOGY_ACTIVE_ACTIVE, desired=2, min_size=1,
            standby=1, cluster=True):
    """LB PENDING_CREATE/OFFLINE, its VIP allocated, and for ACTIVE_ACTIVE
    a PENDING_CREATE cluster: what the API leaves before the cast."""
    subnet = subnets.find('public-subnet')
    with db_api.session_scope() as session:
        lb = models.LoadBalancer(
            project_id='p1', name='lb1', topology=topology,
            provider='amphora', provisioning_status=c.PENDING_CREATE,
            operating_status=c.OFFLINE)
        session.add(lb)
        session.flush()
        lb_id = lb.id
    vip = drivers.get('network').allocate_vip(lb_id, subnet)
    with db_api.session_scope() as session:
        session.add(models.Vip(load_balancer_id=lb_id,
                               ip_address=vip['ip_address'],
                               port_id=vip['port_id'],
                               subnet_id=vip['subnet_id'],
                               network_id=vip['network_id']))
        # As the API does: the topology decides whether a cluster row
        # comes with the load balancer.
        settings = types.SimpleNamespace(
            desired_size=desired, min_size=min_size, standby_count=standby,
            cooldown=60, affinity=c.AFFINITY_SOURCE_IP)
        lb = session.get(models.LoadBalancer, lb_id)
        if cluster:
            lb.cluster = octavia_topology.get(topology).new_cluster(
                lb, settings)
    return lb_id


def add_child(kind, lb_id, **values):
    """A child row PENDING_CREATE with the LB and its listeners locked
    PENDING_UPDATE; returns its id."""
    with db_api.session_scope() as session:
        obj = objects.MODELS[kind](project_id='p1',
                                   provisioning_status=c.PENDING_CREATE,
                                   **values)
        session.add(obj)
        lock(session, lb_id)
        session.flush()
        return obj.id


def lock(session, lb_id):
    lb = session.get(models.LoadBalancer, lb_id)
    lb.provisioning_status = c.PENDING_UPDATE
    for lst in lb.listeners:
        if lst.provisioning_status == c.ACTIVE:
            lst.provisioning_status = c.PENDING_UPDATE


def set_status(model, id_, lb_id, provisioning_status):
    with db_api.session_scope() as session:
        session.get(model, id_).provisioning_status = provisioning_status
        lock(session, lb_id)


def amphorae(lb_id):
    return rows(models.Amphora, models.Amphora.load_balancer_id == lb_id)


def registrations(lb_id):
    return rows(models.AmphoraRegistration,
                models.AmphoraRegistration.load_balancer_id == lb_id)


def ipam_owners():
    return sorted(r.owner for r in rows(models.IpAllocation))


def count(model):
    with db_api.session_scope() as session:
        return session.scalar(sa.select(sa.func.count()).select_from(model))


def report_health(lb_id):
    """Every ALLOCATED amphora of the load balancer sends one heartbeat,
    through the health manager's own receiver, as a running agent would
    (with the noop drivers nothing else reports health)."""
    from octavia_aa.controller.healthmanager import health_db
    for amp in rows(models.Amphora, models.Amphora.load_balancer_id == lb_id,
                    models.Amphora.status == c.ALLOCATED):
        health_db.record_heartbeat({'id': amp.id})
