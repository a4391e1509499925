"""Distributor tasks (ACTIVE_ACTIVE): where the VIP lives on the wire and
which amphorae its slot table spreads flows over.

Every register/unregister answer is the distributor's full ordered list;
`_store_positions` mirrors it into amphora_registration, so the rows always
say what the distributor holds and a replacement distributor can rebuild
the same table from them.

A distributor with a VRRP peer (`peer_id`) gets every call mirrored to
the peer, registrations with the positions the first one chose, so
whichever of the two holds the VIP forwards each flow the same way.
"""
from oslo_db import api as oslo_db_api
import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker.tasks import amphora as amp_tasks
from octavia_aa.controller.worker.tasks import base
from octavia_aa.controller.worker.tasks import network
from octavia_aa.db import api as db_api
from octavia_aa.db import models

CONF = config.CONF
NOOP_DRIVER = 'distributor_noop_driver'


def _cluster(session, lb_id):
    cluster = session.scalar(sa.select(models.Cluster).where(
        models.Cluster.load_balancer_id == lb_id))
    if cluster is None:
        raise ValueError('load balancer %s has no cluster row' % lb_id)
    return cluster


def _distributor(session, lb_id):
    cluster = _cluster(session, lb_id)
    if cluster.distributor_id is None:
        raise ValueError('cluster %s has no distributor' % cluster.id)
    return cluster.distributor


def _pair(session, lb_id):
    """The cluster's distributor and its ACTIVE VRRP peer (or None)."""
    dist = _distributor(session, lb_id)
    peer = (session.get(models.Distributor, dist.peer_id)
            if dist.peer_id else None)
    if peer is not None and peer.status != c.ACTIVE:
        peer = None
    return dist, peer


def _mirror(peer, lb_id, answer, ids):
    """Give the peer the entries of `ids`, positions included."""
    if peer is not None:
        entries = [e for e in answer['amphorae'] if e['id'] in ids]
        if entries:
            drivers.get('distributor').register_amphorae(peer, lb_id,
                                                         entries)


def _registered(session, lb_id):
    return {r.amphora_id: r for r in session.scalars(
        sa.select(models.AmphoraRegistration).where(
            models.AmphoraRegistration.load_balancer_id == lb_id))}


# Flows of different load balancers on one distributor rewrite
# neighbouring ranges of the (distributor, load balancer, position)
# index; InnoDB's gap locks can make two of them deadlock.  The whole
# transaction is one statement's worth of work: run it again.
@oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True)
def _store_positions(lb_id, distributor_id, answer):
    with db_api.session_scope() as session:
        session.execute(sa.delete(models.AmphoraRegistration).where(
            models.AmphoraRegistration.load_balancer_id == lb_id))
        session.flush()
        known = set(session.scalars(sa.select(models.Amphora.id).where(
            models.Amphora.load_balancer_id == lb_id)))
        for entry in answer['amphorae']:
            if entry['id'] in known:
                session.add(models.AmphoraRegistration(
                    amphora_id=entry['id'], load_balancer_id=lb_id,
                    distributor_id=distributor_id,
                    position=entry['position']))


def _entry(amp, position=None):
    entry = {'id': amp.id, 'mac': amp.frontend_mac, 'ip': amp.vrrp_ip,
             'role': amp.role}
    if position is not None:
        entry['position'] = position
    return entry


class AllocateDistributor(base.Task):
    """Put the cluster on the least loaded ACTIVE distributor with room
    (never on the BACKUP of a VRRP pair: it mirrors its MASTER).

    With the noop distributor driver and no distributor at all, a noop
    distributor row is created (named 'noop-distributor'): the embedded
    all-in-one has no distributor to register, yet its ACTIVE_ACTIVE load
    balancers must reach ACTIVE.  With a real driver, no room is an error.
    """

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            cluster = _cluster(session, load_balancer_id)
            if cluster.distributor_id is not None:
                return cluster.distributor_id
            load = (sa.select(sa.func.count(models.Cluster.id))
                    .where(models.Cluster.distributor_id ==
                           models.Distributor.id)
                    .scalar_subquery())
            dist = session.scalar(
                sa.select(models.Distributor)
                .where(models.Distributor.status == c.ACTIVE,
                       models.Distributor.role != c.ROLE_BACKUP,
                       load < models.Distributor.max_load_balancers)
                .order_by(load, models.Distributor.created_at).limit(1))
            if dist is None:
                if CONF.controller_worker.distributor_driver != NOOP_DRIVER:
                    raise RuntimeError('no ACTIVE distributor has room for '
                                       'another load balancer')
                dist = models.Distributor(name='noop-distributor',
                                          status=c.ACTIVE)
                session.add(dist)
                session.flush()
            cluster.distributor_id = dist.id
            return dist.id

    def revert(self, load_balancer_id, *args, **kwargs):
        with db_api.session_scope() as session:
            cluster = session.scalar(sa.select(models.Cluster).where(
                models.Cluster.load_balancer_id == load_balancer_id))
            if cluster is not None:
                cluster.distributor_id = None


class DistributorPlugVip(base.Task):

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            _, vip = network.vip_of(lb)
            pair = [d for d in _pair(session, load_balancer_id) if d]
            affinity = lb.cluster.affinity
        for dist in pair:
            drivers.get('distributor').plug_vip(
                dist, load_balancer_id, vip['ip_address'],
                vip['subnet_cidr'], vip['gateway'], affinity=affinity)

    def revert(self, load_balancer_id, *args, **kwargs):
        with db_api.session_scope() as session:
            cluster = session.scalar(sa.select(models.Cluster).where(
                models.Cluster.load_balancer_id == load_balancer_id))
            if cluster is None or cluster.distributor_id is None:
                return
            pair = [d for d in _pair(session, load_balancer_id) if d]
        for dist in pair:
            drivers.get('distributor').unplug_vip(dist, load_balancer_id)


class RegisterAmphorae(base.Task):
    """Register every ALLOCATED amphora not registered yet; returns ids."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            dist, peer = _pair(session, load_balancer_id)
            done = _registered(session, load_balancer_id)
            new = [a for a in amp_tasks.allocated(session, load_balancer_id)
                   if a.id not in done]
        if not new:
            return []
        ids = [a.id for a in new]
        answer = drivers.get('distributor').register_amphorae(
            dist, load_balancer_id, [_entry(a) for a in new])
        _store_positions(load_balancer_id, dist.id, answer)
        _mirror(peer, load_balancer_id, answer, ids)
        return ids

    def revert(self, load_balancer_id, result, *args, **kwargs):
        if not isinstance(result, list) or not result:
            return
        with db_api.session_scope() as session:
            dist, peer = _pair(session, load_balancer_id)
        _unregister(dist, peer, load_balancer_id, result)


class DrainAmphora(base.Task):

    def execute(self, load_balancer_id, amphora_id):
        with db_api.session_scope() as session:
            pair = [d for d in _pair(session, load_balancer_id) if d]
        for dist in pair:
            drivers.get('distributor').drain_amphora(dist, load_balancer_id,
                                                     amphora_id)


class UnregisterAmphora(base.Task):

    def execute(self, load_balancer_id, amphora_id):
        with db_api.session_scope() as session:
            dist, peer = _pair(session, load_balancer_id)
        _unregister(dist, peer, load_balancer_id, [amphora_id])


def _unregister(dist, peer, lb_id, amphora_ids):
    driver = drivers.get('distributor')
    answer = driver.unregister_amphorae(dist, lb_id, amphora_ids)
    _store_positions(lb_id, dist.id, answer)
    if peer is not None:
        driver.unregister_amphorae(peer, lb_id, amphora_ids)


class PromoteStandby(base.Task):
    """After a failover in a cluster.

    The distributor moved the failed amphora's slots to the standby, so
    when an IN_CLUSTER amphora failed the standby is now serving: record
    it as IN_CLUSTER (and tell the distributor, idempotently), and the
    replacement stays the new standby.  With no standby left, the
    replacement itself takes the failed amphora's place.
    """

    def execute(self, load_balancer_id, amphora_id, failed_role):
        if failed_role != c.ROLE_IN_CLUSTER:
            return
        with db_api.session_scope() as session:
            dist, peer = _pair(session, load_balancer_id)
            positions = _registered(session, load_balancer_id)
            standby = next(
                (a for a in amp_tasks.allocated(session, load_balancer_id)
                 if a.role == c.ROLE_IN_CLUSTER_STANDBY
                 and a.id != amphora_id), None)
            promoted = standby or session.get(models.Amphora, amphora_id)
            promoted.role = c.ROLE_IN_CLUSTER
            reg = positions.get(promoted.id)
            entry = _entry(promoted, reg.position if reg else None)
        answer = drivers.get('distributor').register_amphorae(
            dist, load_balancer_id, [entry])
        _store_positions(load_balancer_id, dist.id, answer)
        _mirror(peer, load_balancer_id, answer, [entry['id']])


class DistributorUnplugVip(base.Task):
    """Take the load balancer off its distributor entirely."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            cluster = session.scalar(sa.select(models.Cluster).where(
                models.Cluster.load_balancer_id == load_balancer_id))
            if cluster is None or cluster.distributor_id is None:
                return
            pair = [d for d in _pair(session, load_balancer_id) if d]
            registered = list(_registered(session, load_balancer_id))
        driver = drivers.get('distributor')
        for dist in pair:
            if registered:
                driver.unregister_amphorae(dist, load_balancer_id,
                                           registered)
            driver.unplug_vip(dist, load_balancer_id)
        with db_api.session_scope() as session:
            session.execute(sa.delete(models.AmphoraRegistration).where(
                models.AmphoraRegistration.load_balancer_id ==
                load_balancer_id))
            session.get(models.Cluster, cluster.id).distributor_id = None
