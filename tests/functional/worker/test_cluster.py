"""Resize, amphora failover and rolling LB failover of clusters; status
roll-up from heartbeats; resuming an interrupted flow."""
import datetime

from taskflow import engines
from taskflow.persistence import models as tf_models

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker import controller_worker
from octavia_aa.controller.worker.flows import load_balancer as lb_flows
from octavia_aa.db import models
from tests.functional.worker import helpers as h


def roles(lb_id):
    return sorted(a.role for a in h.amphorae(lb_id))


def assert_registered_exactly(lb_id):
    amps = {a.id for a in h.amphorae(lb_id)}
    regs = h.registrations(lb_id)
    assert {r.amphora_id for r in regs} == amps
    assert len({r.position for r in regs}) == len(regs)
    assert set(drivers.get('distributor').registrations[lb_id]) == amps


def resize(worker, lb_id, desired):
    with h.db_api.session_scope() as session:
        cluster = h.rows(models.Cluster,
                         models.Cluster.load_balancer_id == lb_id)[0]
        cluster = session.get(models.Cluster, cluster.id)
        cluster.desired_size = desired
        cluster.provisioning_status = c.PENDING_UPDATE
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_UPDATE)
        cluster_id = cluster.id
    worker.resize_cluster(cluster_id)
    return h.get(models.Cluster, cluster_id)


def test_resize_up_then_down(worker):
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    first = {a.id for a in h.amphorae(lb_id)}

    cluster = resize(worker, lb_id, 4)
    assert cluster.provisioning_status == c.ACTIVE
    assert cluster.last_resized_at is not None
    assert roles(lb_id) == [c.ROLE_IN_CLUSTER] * 4 + [
        c.ROLE_IN_CLUSTER_STANDBY]
    assert first < {a.id for a in h.amphorae(lb_id)}
    assert_registered_exactly(lb_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)

    before = {a.id for a in h.amphorae(lb_id)}
    resize(worker, lb_id, 1)
    assert roles(lb_id) == [c.ROLE_IN_CLUSTER, c.ROLE_IN_CLUSTER_STANDBY]
    assert_registered_exactly(lb_id)
    # Those that left were drained first, those that stay were not.
    state = drivers.get('amphora').state
    gone = before - {a.id for a in h.amphorae(lb_id)}
    assert len(gone) == 3
    assert all(state[a].get('drained') for a in gone)
    assert not any(state[a.id].get('drained') for a in h.amphorae(lb_id))
    # The oldest amphorae stay, the newest go; their addresses are freed.
    assert {a.id for a in h.amphorae(lb_id)} <= first
    assert len([o for o in h.ipam_owners() if o.startswith('amphora:')]) == 2


def test_resize_of_single_is_error(worker):
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    with h.db_api.session_scope() as session:
        # A cluster row on a SINGLE LB is what a buggy caller would send.
        cluster = models.Cluster(load_balancer_id=lb_id, desired_size=3,
                                 min_size=1)
        session.add(cluster)
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_UPDATE)
        session.flush()
        cluster_id = cluster.id
    worker.resize_cluster(cluster_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'no cluster to resize' in lb.fault
    assert len(h.amphorae(lb_id)) == 1


def failover(worker, amphora):
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, amphora.load_balancer_id) \
            .provisioning_status = c.PENDING_UPDATE
    worker.failover_amphora(amphora.id)


def test_failover_of_active_amphora_promotes_standby(worker):
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    amps = h.amphorae(lb_id)
    failed = next(a for a in amps if a.role == c.ROLE_IN_CLUSTER)
    standby = next(a for a in amps if a.role == c.ROLE_IN_CLUSTER_STANDBY)

    failover(worker, failed)

    assert h.get(models.Amphora, failed.id) is None
    assert h.get(models.Amphora, standby.id).role == c.ROLE_IN_CLUSTER
    new = [a for a in h.amphorae(lb_id) if a.id not in {x.id for x in amps}]
    assert len(new) == 1 and new[0].role == c.ROLE_IN_CLUSTER_STANDBY
    assert roles(lb_id) == [c.ROLE_IN_CLUSTER] * 2 + [
        c.ROLE_IN_CLUSTER_STANDBY]
    assert_registered_exactly(lb_id)
    assert not [o for o in h.ipam_owners() if failed.id in o]
    # A failed amphora is not waited for.
    assert not drivers.get('amphora').state[failed.id].get('drained')
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)


def test_failover_single_replaces_the_amphora(worker):
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    (old,) = h.amphorae(lb_id)
    failover(worker, old)
    (new,) = h.amphorae(lb_id)
    assert new.id != old.id and new.role == c.ROLE_STANDALONE
    assert drivers.get('amphora').state[new.id]['arp'] is True
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def test_rolling_load_balancer_failover(worker):
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    before = {a.id for a in h.amphorae(lb_id)}
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_UPDATE)
    worker.failover_load_balancer(lb_id)
    after = h.amphorae(lb_id)
    assert before.isdisjoint(a.id for a in after)
    # Every one replaced still worked: each was drained before it went.
    state = drivers.get('amphora').state
    assert all(state[a].get('drained') for a in before)
    assert not any(state[a.id].get('drained') for a in after)
    assert roles(lb_id) == [c.ROLE_IN_CLUSTER] * 2 + [
        c.ROLE_IN_CLUSTER_STANDBY]
    assert_registered_exactly(lb_id)
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def test_roll_up_from_stale_heartbeats(worker):
    lb_id = h.make_lb(desired=2, min_size=2, standby=1)
    worker.create_load_balancer(lb_id)
    amps = h.amphorae(lb_id)
    old = datetime.datetime(2000, 1, 1)

    def update_lb():
        with h.db_api.session_scope() as session:
            session.get(models.LoadBalancer, lb_id).provisioning_status = (
                c.PENDING_UPDATE)
        worker.update_load_balancer(lb_id, {})
        lb = h.get(models.LoadBalancer, lb_id)
        return lb.operating_status, h.rows(models.Cluster)[0] \
            .operating_status

    with h.db_api.session_scope() as session:
        session.merge(models.AmphoraHealth(amphora_id=amps[0].id,
                                         last_update=old))
    assert update_lb() == (c.DEGRADED, c.DEGRADED)
    with h.db_api.session_scope() as session:
        session.merge(models.AmphoraHealth(amphora_id=amps[1].id,
                                         last_update=old))
    assert update_lb() == (c.ERROR, c.DOWN)


def test_resume_runs_an_interrupted_flow(worker):
    """A flow saved in persistence but never finished (the worker died)
    is found and run to its end by resume()."""
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    runner = worker.runner
    book = tf_models.LogBook(runner.book_name)
    engines.load_from_factory(
        lb_flows.create, factory_args=[c.TOPOLOGY_SINGLE,
                                       [c.ROLE_STANDALONE]],
        store={'load_balancer_id': lb_id}, backend=runner.backend,
        book=book)
    assert len(runner.unfinished()) == 1
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
        c.PENDING_CREATE)

    worker.resume()

    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE
    assert len(h.amphorae(lb_id)) == 1
    assert runner.unfinished() == []


def test_vrrp_pair_of_distributors_holds_the_same_table(db):
    h.override('distributor_driver', 'distributor_pair_test_driver',
               'controller_worker')
    with h.db_api.session_scope() as session:
        session.add_all([
            models.Distributor(id='b' * 36, status=c.ACTIVE,
                               role=c.ROLE_BACKUP, peer_id='a' * 36),
            models.Distributor(id='a' * 36, status=c.ACTIVE,
                               role=c.ROLE_MASTER, peer_id='b' * 36)])
    worker = controller_worker.ControllerWorker()
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    assert h.rows(models.Cluster)[0].distributor_id == 'a' * 36
    failed = next(a for a in h.amphorae(lb_id)
                  if a.role == c.ROLE_IN_CLUSTER)
    failover(worker, failed)

    tables = drivers.get('distributor').tables

    def positions(dist_id):
        return {amp_id: entry['position'] for amp_id, entry in
                tables[dist_id].registrations[lb_id].items()}
    assert positions('a' * 36) == positions('b' * 36) == {
        r.amphora_id: r.position for r in h.registrations(lb_id)}
    assert failed.id not in positions('b' * 36)
    assert tables['b' * 36].vips[lb_id] == tables['a' * 36].vips[lb_id]


def test_active_standby_failover_keeps_master_and_backup(worker):
    lb_id = h.make_lb(c.TOPOLOGY_ACTIVE_STANDBY)
    worker.create_load_balancer(lb_id)
    before = {a.id for a in h.amphorae(lb_id)}
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_UPDATE)
    worker.failover_load_balancer(lb_id)
    after = {a.role: a for a in h.amphorae(lb_id)}
    assert set(after) == {c.ROLE_MASTER, c.ROLE_BACKUP}
    assert before.isdisjoint(a.id for a in after.values())
    # The new pair knows each other for VRRP.
    state = drivers.get('amphora').state
    master, backup = after[c.ROLE_MASTER], after[c.ROLE_BACKUP]
    assert state[master.id]['vrrp']['peers'] == [backup.vrrp_ip]
    assert state[backup.id]['vrrp']['peers'] == [master.vrrp_ip]
    # Each working amphora stopped its keepalived before it went (its
    # peer took over at once), the new ones did not.
    assert all(state[i].get('vrrp_released') for i in before), state
    assert not any(state[a.id].get('vrrp_released') for a in after.values())
    # The amphora built first (replacing the BACKUP) stayed while the
    # MASTER was replaced: it holds the VIP now and is MASTER.
    assert master.created_at < backup.created_at
    assert (state[master.id]['vrrp']['priority'],
            state[backup.id]['vrrp']['priority']) == (200, 100)
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def _limits(lb_id):
    state = drivers.get('amphora').state
    return {a.id: (a.role, state[a.id]['config']['listeners'][0]
                   ['connection_limit']) for a in h.amphorae(lb_id)}


def test_connection_limit_divided_and_redivided(worker):
    lb_id = h.make_lb(desired=3, standby=1)
    worker.create_load_balancer(lb_id)
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80, connection_limit=7)
    worker.create_object('listener', lst)

    def active_sum(got):
        return sum(v for r, v in got.values() if r == c.ROLE_IN_CLUSTER)
    got = _limits(lb_id)
    # 3 + 2 + 2 over the active amphorae; the standby the smallest share.
    assert sorted(v for r, v in got.values()
                  if r == c.ROLE_IN_CLUSTER) == [2, 2, 3], got
    assert [v for r, v in got.values()
            if r == c.ROLE_IN_CLUSTER_STANDBY] == [2], got
    # Resize to 2 active: re-divided, 4 + 3.
    resize(worker, lb_id, 2)
    got = _limits(lb_id)
    assert sorted(v for r, v in got.values()
                  if r == c.ROLE_IN_CLUSTER) == [3, 4], got
    # Failover of an active one: the promoted standby takes a share, the
    # total stays the limit.
    failover(worker, next(a for a in h.amphorae(lb_id)
                          if a.role == c.ROLE_IN_CLUSTER))
    got = _limits(lb_id)
    assert active_sum(got) == 7 and len(got) == 3, got


def test_active_standby_master_failover_survivor_becomes_master(worker):
    lb_id = h.make_lb(c.TOPOLOGY_ACTIVE_STANDBY)
    worker.create_load_balancer(lb_id)
    amps = {a.role: a for a in h.amphorae(lb_id)}
    failover(worker, amps[c.ROLE_MASTER])
    after = {a.role: a for a in h.amphorae(lb_id)}
    # keepalived's nopreempt keeps the VIP on the survivor: the roles
    # follow it, the replacement joins as BACKUP.
    assert after[c.ROLE_MASTER].id == amps[c.ROLE_BACKUP].id
    assert after[c.ROLE_BACKUP].id not in {a.id for a in amps.values()}
    state = drivers.get('amphora').state
    assert state[after[c.ROLE_MASTER].id]['vrrp'] == dict(
        state[after[c.ROLE_MASTER].id]['vrrp'], priority=200,
        peers=[after[c.ROLE_BACKUP].vrrp_ip])
    assert state[after[c.ROLE_BACKUP].id]['vrrp']['priority'] == 100
