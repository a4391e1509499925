"""Distributor tasks (ACTIVE_ACTIVE): where the VIP lives on the wire and
which amphorae its slot table spreads flows over.

Every register/unregister answer is the distributor's full ordered list;
`_store_positions` mirrors it into amphora_registration, so the rows always
say what the distributor holds and a replacement distributor can rebuild
the same table from them.

A distributor with a VRRP peer (`peer_id`) gets every call mirrored to
the peer, registrations with the positions the first one chose, so
whichever of the two holds the VIP forwards each flow the same way.  A
member that cannot be reached is skipped while the other answers, so one
dead distributor never blocks a flow.
"""
import logging
import time

from oslo_db import api as oslo_db_api

from octavia_aa.common import config
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker.tasks import base
from octavia_aa.controller.worker.tasks import network
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import amphora as amphora_q
from octavia_aa.db.queries import cluster as cluster_q
from octavia_aa.db.queries import distributor as distributor_q
from octavia_aa.distributor.drivers import base as dist_base

CONF = config.CONF
LOG = logging.getLogger(__name__)


def _cluster(session, lb_id):
    cluster = cluster_q.of_load_balancer(session, lb_id)
    if cluster is None:
        raise ValueError('load balancer %s has no cluster row' % lb_id)
    return cluster


def _distributor(session, lb_id):
    cluster = _cluster(session, lb_id)
    if cluster.distributor_id is None:
        raise ValueError('cluster %s has no distributor' % cluster.id)
    return cluster.distributor


def _members(session, lb_id):
    """(distributors to call, the cluster's distributor id): the cluster's
    distributor and its VRRP peer, those known dead (ERROR) left out
    while the other one works."""
    dist = _distributor(session, lb_id)
    pair = [dist]
    if dist.peer_id:
        peer = session.get(models.Distributor, dist.peer_id)
        if peer is not None:
            pair.append(peer)
    alive = [d for d in pair if d.status == c.ACTIVE]
    return alive or [dist], dist.id


def _each(members, call):
    """call(distributor, first answer) for every member, in order.  A
    member that cannot be reached is skipped while another answers: it
    is dead or about to be found dead by the health manager, and what it
    misses is in the registration rows.  Returns the answers."""
    answers, failure = [], None
    for dist in members:
        try:
            answers.append(call(dist, answers[0] if answers else None))
        except dist_base.DistributorUnreachable as exc:
            LOG.warning('Distributor %s unreachable, skipped: %s',
                        dist.id, exc)
            failure = exc
    if not answers and failure is not None:
        raise failure
    return answers


def _register(lb_id, entries):
    """Register entries on the pair: the first distributor reached picks
    the positions, the other gets the same; returns its answer."""
    with db_api.session_scope() as session:
        members, home = _members(session, lb_id)
    driver = drivers.get('distributor')
    ids = {e['id'] for e in entries}

    def call(dist, first):
        return driver.register_amphorae(dist, lb_id, entries if first is None
                                        else [e for e in first['amphorae']
                                              if e['id'] in ids])
    answer = _each(members, call)[0]
    _store_positions(lb_id, home, answer)
    return answer


def _unregister(lb_id, amphora_ids):
    with db_api.session_scope() as session:
        members, home = _members(session, lb_id)
    driver = drivers.get('distributor')
    answer = _each(members, lambda dist, _: driver.unregister_amphorae(
        dist, lb_id, amphora_ids))[0]
    _store_positions(lb_id, home, answer)


# Flows of different load balancers on one distributor rewrite
# neighbouring ranges of the (distributor, load balancer, position)
# index; InnoDB's gap locks can make two of them deadlock.  The whole
# transaction is one statement's worth of work: run it again.
@oslo_db_api.wrap_db_retry(max_retries=5, retry_on_deadlock=True)
def _store_positions(lb_id, distributor_id, answer):
    with db_api.session_scope() as session:
        distributor_q.replace_registrations(session, lb_id, distributor_id,
                                            answer['amphorae'])


def _entry(amp, position=None):
    entry = {'id': amp.id, 'mac': amp.frontend_mac, 'ip': amp.vrrp_ip,
             'role': amp.role}
    if position is not None:
        entry['position'] = position
    return entry


class AllocateDistributor(base.Task):
    """Put the cluster on the least loaded ACTIVE distributor with room
    (never on the BACKUP of a VRRP pair: it mirrors its MASTER).

    With a driver that builds no machine (its implicit_distributor names
    the row, e.g. 'noop-distributor') and no distributor at all, such a
    row is created, so noop deployments reach ACTIVE.  Otherwise a
    distributor still being built (octavia-aa-all makes a pair on start)
    is waited for up
    to [controller_worker] distributor_wait seconds; no room is an error.
    """

    def execute(self, load_balancer_id):
        deadline = time.monotonic() + CONF.controller_worker.distributor_wait
        while True:
            found, booting = self._allocate(load_balancer_id)
            if found is not None:
                return found
            if not booting or time.monotonic() > deadline:
                raise RuntimeError('no ACTIVE distributor has room for '
                                   'another load balancer')
            time.sleep(0.2)

    @staticmethod
    def _allocate(load_balancer_id):
        with db_api.session_scope() as session:
            cluster = _cluster(session, load_balancer_id)
            if cluster.distributor_id is not None:
                return cluster.distributor_id, False
            dist = distributor_q.least_loaded(session)
            implicit = drivers.get('distributor').implicit_distributor
            if dist is None:
                if implicit is None:
                    booting = distributor_q.booting_count(session)
                    return None, bool(booting)
                dist = models.Distributor(name=implicit, status=c.ACTIVE)
                session.add(dist)
                session.flush()
            cluster.distributor_id = dist.id
            return dist.id, False

    def revert(self, load_balancer_id, *args, **kwargs):
        with db_api.session_scope() as session:
            cluster = cluster_q.of_load_balancer(session, load_balancer_id)
            if cluster is not None:
                cluster.distributor_id = None


class DistributorPlugVip(base.Task):
    """Each distributor of the pair gets a port on the VIP subnet (the
    network driver's; none with noop) and carries the VIP on it, probing
    the amphorae on the port where their HAProxy answers probes."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            lb = session.get(models.LoadBalancer, load_balancer_id)
            subnet, vip = network.vip_of(lb)
            members, _ = _members(session, load_balancer_id)
            affinity = lb.cluster.affinity

        def plug(dist, _):
            port = drivers.get('network').plug_distributor(dist, subnet)
            return drivers.get('distributor').plug_vip(
                dist, load_balancer_id, vip['ip_address'],
                vip['subnet_cidr'], vip['gateway'],
                mac_address=port['mac'] if port else None,
                affinity=affinity,
                probe_port=CONF.controller_worker.amphora_probe_port)
        _each(members, plug)

    def revert(self, load_balancer_id, *args, **kwargs):
        _unplug(load_balancer_id)


def _unplug(lb_id):
    """Take the load balancer off its distributors (idempotent)."""
    with db_api.session_scope() as session:
        cluster = cluster_q.of_load_balancer(session, lb_id)
        if cluster is None or cluster.distributor_id is None:
            return
        members, _ = _members(session, lb_id)
        registered = list(distributor_q.registrations(session, lb_id))
    driver = drivers.get('distributor')

    def unplug(dist, _):
        if registered:
            driver.unregister_amphorae(dist, lb_id, registered)
        return driver.unplug_vip(dist, lb_id)
    _each(members, unplug)
    with db_api.session_scope() as session:
        distributor_q.drop_registrations(session, lb_id)
        session.get(models.Cluster, cluster.id).distributor_id = None


class RegisterAmphorae(base.Task):
    """Register every ALLOCATED amphora not registered yet; returns ids."""

    def execute(self, load_balancer_id):
        with db_api.session_scope() as session:
            done = distributor_q.registrations(session, load_balancer_id)
            new = [a for a in amphora_q.allocated(session, load_balancer_id)
                   if a.id not in done]
        if not new:
            return []
        _register(load_balancer_id, [_entry(a) for a in new])
        return [a.id for a in new]

    def revert(self, load_balancer_id, result, *args, **kwargs):
        if isinstance(result, list) and result:
            _unregister(load_balancer_id, result)


class DrainAmphora(base.Task):

    def execute(self, load_balancer_id, amphora_id):
        with db_api.session_scope() as session:
            members, _ = _members(session, load_balancer_id)
        _each(members, lambda dist, _: drivers.get('distributor')
              .drain_amphora(dist, load_balancer_id, amphora_id))


class UnregisterAmphora(base.Task):

    def execute(self, load_balancer_id, amphora_id):
        _unregister(load_balancer_id, [amphora_id])


class PromoteStandby(base.Task):
    """After an IN_CLUSTER amphora failed.

    The distributor already moved the failed amphora's slots to the
    standby; the standby now takes the failed amphora's position as an
    active amphora, which hands it those slots unchanged (and drops the
    failed entry), so no flow moves.  The replacement then registers as
    the new standby.  With no standby, the replacement itself takes the
    position.
    """

    def execute(self, load_balancer_id, amphora_id, failed_id, failed_role):
        if failed_role != c.ROLE_IN_CLUSTER:
            return None
        with db_api.session_scope() as session:
            failed = distributor_q.registrations(
                session, load_balancer_id).get(failed_id)
            standby = next(
                (a for a in amphora_q.allocated(session, load_balancer_id)
                 if a.role == c.ROLE_IN_CLUSTER_STANDBY
                 and a.id != amphora_id), None)
            promoted = standby or session.get(models.Amphora, amphora_id)
            promoted.role = c.ROLE_IN_CLUSTER
            entry = _entry(promoted,
                           failed.position if failed is not None else None)
        _register(load_balancer_id, [entry])
        return entry['id']


class DistributorUnplugVip(base.Task):
    """Take the load balancer off its distributor entirely."""

    def execute(self, load_balancer_id):
        _unplug(load_balancer_id)


class RestoreDistributor(base.Task):
    """A rebuilt distributor gets back every VIP and registration of the
    clusters on its pair, positions from the registration rows (so its
    slot tables are those of its peer and of the one it replaces)."""

    def execute(self, distributor_id):
        with db_api.session_scope() as session:
            dist = session.get(models.Distributor, distributor_id)
            pair_ids = {distributor_id} | ({dist.peer_id} if dist.peer_id
                                           else set())
            pair_ids |= distributor_q.peers_of(session, distributor_id)
            clusters = distributor_q.clusters_on(session, pair_ids)
            work = []
            for cluster in clusters:
                lb = cluster.load_balancer
                subnet, vip = network.vip_of(lb)
                allocated = {a.id: a for a in
                             amphora_q.allocated(session, lb.id)}
                registered = distributor_q.registrations(session, lb.id)
                entries = [_entry(allocated[r.amphora_id], r.position)
                           for r in registered.values()
                           if r.amphora_id in allocated]
                work.append((lb.id, subnet, vip, cluster.affinity, entries))
            session.expunge(dist)
        driver = drivers.get('distributor')
        for lb_id, subnet, vip, affinity, entries in work:
            port = drivers.get('network').plug_distributor(dist, subnet)
            driver.plug_vip(dist, lb_id, vip['ip_address'],
                            vip['subnet_cidr'], vip['gateway'],
                            mac_address=port['mac'] if port else None,
                            affinity=affinity,
                            probe_port=CONF.controller_worker
                            .amphora_probe_port)
            if entries:
                driver.register_amphorae(dist, lb_id, entries,
                                         exclusive=True)
        return [w[0] for w in work]
