"""Reconcile passes on noop drivers and a real database: failed
amphorae replaced (the replacement is the new standby), the desired
size kept, a dead flow's leftovers removed, the status rolled up, and a
second pass changes nothing."""
import datetime

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.cluster_manager import manager as cm
from octavia_aa.db import models
from tests.functional.worker import helpers as h

LONG_AGO = datetime.datetime(2000, 1, 1)


def active_lb(worker, *args, **kwargs):
    lb_id = h.make_lb(*args, **kwargs)
    worker.create_load_balancer(lb_id)
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE
    return lb_id


def roles(lb_id):
    return sorted(a.role for a in h.amphorae(lb_id))


def snapshot(lb_id):
    lb = h.get(models.LoadBalancer, lb_id)
    return (lb.provisioning_status, lb.operating_status,
            sorted((a.id, a.role, a.status) for a in h.amphorae(lb_id)),
            sorted((r.amphora_id, r.position)
                   for r in h.registrations(lb_id)))


def assert_registered_exactly(lb_id):
    amps = {a.id for a in h.amphorae(lb_id)}
    assert {r.amphora_id for r in h.registrations(lb_id)} == amps
    assert set(drivers.get('distributor').registrations[lb_id]) == amps


def make_stale(*amphora_ids):
    with h.db_api.session_scope() as session:
        for amphora_id in amphora_ids:
            session.merge(models.AmphoraHealth(amphora_id=amphora_id,
                                               last_update=LONG_AGO))


def set_amphora(amphora_id, **values):
    with h.db_api.session_scope() as session:
        amp = session.get(models.Amphora, amphora_id)
        for key, value in values.items():
            setattr(amp, key, value)


def test_steady_cluster_is_left_alone(worker, manager):
    lb_id = active_lb(worker, desired=2, standby=1)
    before = snapshot(lb_id)
    assert manager.run_pass() == {lb_id: cm.STEADY}
    assert snapshot(lb_id) == before


def test_stale_active_amphora_is_replaced_by_a_new_standby(worker, manager):
    lb_id = active_lb(worker, desired=2, standby=1)
    amps = h.amphorae(lb_id)
    failed = next(a for a in amps if a.role == c.ROLE_IN_CLUSTER)
    standby = next(a for a in amps if a.role == c.ROLE_IN_CLUSTER_STANDBY)
    make_stale(failed.id)

    assert manager.reconcile(lb_id) == cm.REPAIRED

    assert h.get(models.Amphora, failed.id) is None
    # The old standby took the failed one's place; the new one waits.
    assert h.get(models.Amphora, standby.id).role == c.ROLE_IN_CLUSTER
    assert roles(lb_id) == [c.ROLE_IN_CLUSTER] * 2 + [
        c.ROLE_IN_CLUSTER_STANDBY]
    assert_registered_exactly(lb_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)
    assert h.rows(models.Cluster)[0].operating_status == c.ONLINE
    # Level-triggered: the same pass again finds nothing to do.
    after = snapshot(lb_id)
    assert manager.reconcile(lb_id) == cm.STEADY
    assert snapshot(lb_id) == after


def test_amphora_in_error_is_replaced(worker, manager):
    lb_id = active_lb(worker, c.TOPOLOGY_SINGLE)
    (old,) = h.amphorae(lb_id)
    set_amphora(old.id, status=c.ERROR)
    assert manager.reconcile(lb_id) == cm.REPAIRED
    (new,) = h.amphorae(lb_id)
    assert new.id != old.id and new.status == c.ALLOCATED
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def test_desired_size_is_kept(worker, manager):
    lb_id = active_lb(worker, desired=2, standby=1)
    # A desired size raised in the row only (a lost resize cast).
    with h.db_api.session_scope() as session:
        session.query(models.Cluster).one().desired_size = 3
    assert manager.reconcile(lb_id) == cm.REPAIRED
    assert roles(lb_id) == [c.ROLE_IN_CLUSTER] * 3 + [
        c.ROLE_IN_CLUSTER_STANDBY]
    assert_registered_exactly(lb_id)
    assert manager.reconcile(lb_id) == cm.STEADY


def test_leftovers_of_a_dead_flow_are_removed(worker, manager):
    lb_id = active_lb(worker, desired=2, standby=1)
    keep = {a.id for a in h.amphorae(lb_id)}
    with h.db_api.session_scope() as session:
        half = models.Amphora(load_balancer_id=lb_id, status=c.BOOTING,
                              role=c.ROLE_IN_CLUSTER)
        session.add(half)
        session.flush()
        half_id = half.id
    assert manager.reconcile(lb_id) == cm.REPAIRED
    assert h.get(models.Amphora, half_id) is None
    assert {a.id for a in h.amphorae(lb_id)} == keep
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def test_roll_up_with_the_circuit_breaker_open(worker, manager):
    """Amphorae stopped by the breaker are not replaced, and the status
    says how many are left: fewer than all -> DEGRADED, fewer than
    min_size -> cluster DOWN and load balancer ERROR."""
    h.override('failover_threshold', 2, 'health_manager')
    lb_id = active_lb(worker, desired=2, min_size=2, standby=1)
    amps = h.amphorae(lb_id)
    make_stale(amps[0].id)
    set_amphora(amps[0].id, status=c.FAILOVER_STOPPED)
    assert manager.reconcile(lb_id) == cm.STEADY
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.operating_status, h.rows(models.Cluster)[0].operating_status
            ) == (c.DEGRADED, c.DEGRADED)

    make_stale(amps[1].id)
    assert manager.reconcile(lb_id) == cm.STEADY
    assert {a.id for a in h.amphorae(lb_id)} == {a.id for a in amps}
    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ERROR)
    assert h.rows(models.Cluster)[0].operating_status == c.DOWN


def test_failed_repair_ends_in_error_and_is_not_retried(db, manager):
    h.override('compute_driver', 'compute_failing_test_driver',
               'controller_worker')
    worker = manager.worker
    # Build 1 of the failing driver succeeds, build 2 (the replacement)
    # fails.
    lb_id = active_lb(worker, c.TOPOLOGY_SINGLE)
    (amp,) = h.amphorae(lb_id)
    make_stale(amp.id)
    assert manager.reconcile(lb_id) == cm.FAILED
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'compute quota exceeded' in lb.fault
    # ERROR is the operator's: no retry loop.
    assert manager.reconcile(lb_id) == cm.STEADY
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ERROR
