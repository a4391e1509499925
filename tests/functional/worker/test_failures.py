"""A driver that fails mid-flow: the flow reverts, the objects end in
ERROR with a fault naming the step and the reason, and nothing half-made
is left (no amphora rows, addresses, machines or registrations)."""
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import models
from tests.functional.worker import drivers_for_tests
from tests.functional.worker import helpers as h


def test_compute_failure_on_second_amphora(db, monkeypatch):
    h.override('compute_driver', 'compute_failing_test_driver',
               'controller_worker')
    monkeypatch.setattr(drivers_for_tests.FailingComputeDriver,
                        'fail_on_build', 2)
    worker = controller_worker.ControllerWorker()
    lb_id = h.make_lb(desired=2, standby=1)

    worker.create_load_balancer(lb_id)

    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'ComputeBuild failed' in lb.fault
    assert 'compute quota exceeded (test)' in lb.fault
    cluster = h.rows(models.Cluster)[0]
    assert cluster.provisioning_status == c.ERROR
    assert cluster.fault == lb.fault
    assert h.amphorae(lb_id) == []
    assert h.count(models.AmphoraRegistration) == 0
    # Only the VIP (the API's) is still allocated.
    assert h.ipam_owners() == ['vip:' + lb_id]
    compute = drivers.get('compute')
    assert compute.builds == 3 and compute.machines == {}


def test_distributor_failure_undoes_every_amphora(db):
    h.override('distributor_driver', 'distributor_failing_test_driver',
               'controller_worker')
    worker = controller_worker.ControllerWorker()
    with h.db_api.session_scope() as session:
        session.add(models.Distributor(name='d1', status=c.ACTIVE))
    lb_id = h.make_lb(desired=2, standby=1)

    worker.create_load_balancer(lb_id)

    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert lb.fault.startswith('vip-RegisterAmphorae failed: ')
    assert 'distributor refused registration (test)' in lb.fault
    assert h.amphorae(lb_id) == []
    assert h.ipam_owners() == ['vip:' + lb_id]
    assert h.rows(models.Cluster)[0].distributor_id is None
    # The VIP plugged on the distributor was unplugged again.
    assert lb_id not in drivers.get('distributor').vips
    assert drivers.get('compute').machines == {}


def test_no_distributor_with_a_real_driver_is_an_error(db):
    # Any driver but the noop one: the worker must not invent a
    # distributor row for it.
    h.override('distributor_driver', 'distributor_failing_test_driver',
               'controller_worker')
    worker = controller_worker.ControllerWorker()
    lb_id = h.make_lb()
    worker.create_load_balancer(lb_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'no ACTIVE distributor has room' in lb.fault
    assert h.rows(models.Distributor) == []
    assert h.amphorae(lb_id) == []


def test_failed_child_create_is_error_and_unlocks(db, monkeypatch):
    worker = controller_worker.ControllerWorker()
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    amp_driver = drivers.get('amphora')

    def refuse(amphora, config, peers=None):
        raise RuntimeError('haproxy refused the configuration')
    # The amphora agent is the external boundary; this is its answer.
    monkeypatch.setattr(amp_driver, 'update_config', refuse)
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='TCP', protocol_port=22)
    worker.create_object('listener', lst)

    listener = h.get(models.Listener, lst)
    assert listener.provisioning_status == c.ERROR
    # A library's error keeps its type in the fault.
    assert listener.fault == ('AmphoraeUpdateConfig failed: RuntimeError: '
                              'haproxy refused the configuration')
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def test_rolling_failover_keeps_replacements_already_done(db, monkeypatch):
    h.override('compute_driver', 'compute_failing_test_driver',
               'controller_worker')
    # Builds 1-3 make the cluster, 4 the first replacement; 5 fails.
    monkeypatch.setattr(drivers_for_tests.FailingComputeDriver,
                        'fail_on_build', 5)
    worker = controller_worker.ControllerWorker()
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    before = {a.id: a for a in h.amphorae(lb_id)}
    standby = next(a for a in before.values()
                   if a.role == c.ROLE_IN_CLUSTER_STANDBY)
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_UPDATE)

    worker.failover_load_balancer(lb_id)

    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'compute quota exceeded (test)' in lb.fault
    after = {a.id: a for a in h.amphorae(lb_id)}
    # The standby went first and its replacement stays.
    assert standby.id not in after
    (kept,) = [a for a in after.values() if a.id not in before]
    assert kept.role == c.ROLE_IN_CLUSTER_STANDBY
    assert kept.status == c.ALLOCATED
    # The amphora whose replacement failed is in ERROR with the reason;
    # the last one was not touched.
    errored = [a for a in after.values() if a.status == c.ERROR]
    assert len(errored) == 1 and 'ComputeBuild failed' in errored[0].fault
    assert len(after) == 3
    assert {r.amphora_id for r in h.registrations(lb_id)} == set(after)
