"""Nothing stays PENDING_* forever: a load balancer nobody has claimed
for pending_timeout is finished (a dead worker's persisted flow resumed,
a delete done) or ended (ERROR with a fault, or back to ACTIVE and
repaired); one a worker may still be about to pick up is left alone, and
so is one another worker holds."""
import datetime

from taskflow import engines
from taskflow.persistence import models as tf_models

from octavia_aa.common import constants as c
from octavia_aa.controller.cluster_manager import manager as cm
from octavia_aa.controller.worker import engine as worker_engine
from octavia_aa.controller.worker.flows import load_balancer as lb_flows
from octavia_aa.db import claims
from octavia_aa.db import models
from tests.functional.worker import helpers as h

LONG_AGO = datetime.datetime(2000, 1, 1)


def overdue(lb_id, provisioning_status):
    with h.db_api.session_scope() as session:
        lb = session.get(models.LoadBalancer, lb_id)
        lb.provisioning_status = provisioning_status
        lb.updated_at = LONG_AGO


def test_recent_pending_is_left_to_its_worker(manager):
    lb_id = h.make_lb()
    assert manager.reconcile(lb_id) == cm.WAITING
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
        c.PENDING_CREATE)


def test_interrupted_update_is_unlocked_and_children_fail(worker, manager):
    lb_id = h.make_lb(desired=1, standby=1)
    worker.create_load_balancer(lb_id)
    listener_id = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                              protocol='HTTP', protocol_port=80)
    overdue(lb_id, c.PENDING_UPDATE)

    assert manager.reconcile(lb_id) == cm.TAKEN_OVER

    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)
    listener = h.get(models.Listener, listener_id)
    assert listener.provisioning_status == c.ERROR
    assert 'interrupted' in listener.fault


def test_interrupted_create_without_a_flow_goes_to_error(manager):
    lb_id = h.make_lb()
    overdue(lb_id, c.PENDING_CREATE)
    assert manager.reconcile(lb_id) == cm.TAKEN_OVER
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ERROR
    assert 'interrupted' in lb.fault
    assert h.rows(models.Cluster)[0].provisioning_status == c.ERROR


def test_dead_workers_flow_is_finished_by_another(worker, manager):
    """The create a worker on another host persisted and never finished
    is resumed here, from where it stopped, and its logbook goes."""
    lb_id = h.make_lb(desired=2, standby=1)
    book = tf_models.LogBook(worker_engine.BOOK_PREFIX + 'dead-host')
    with h.db_api.session_scope() as session:
        roles = [c.ROLE_IN_CLUSTER] * 2 + [c.ROLE_IN_CLUSTER_STANDBY]
        session.get(models.LoadBalancer, lb_id).updated_at = LONG_AGO
    engines.load_from_factory(
        lb_flows.create, factory_args=[c.TOPOLOGY_ACTIVE_ACTIVE, roles],
        store={'load_balancer_id': lb_id}, backend=worker.runner.backend,
        book=book)
    assert len(worker.runner.orphans(lb_id)) == 1

    assert manager.reconcile(lb_id) == cm.TAKEN_OVER

    lb = h.get(models.LoadBalancer, lb_id)
    assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                             c.ONLINE)
    assert len(h.amphorae(lb_id)) == 3
    assert worker.runner.orphans(lb_id) == []


def test_interrupted_delete_is_finished(worker, manager):
    lb_id = h.make_lb(desired=1, standby=1)
    worker.create_load_balancer(lb_id)
    overdue(lb_id, c.PENDING_DELETE)
    assert manager.reconcile(lb_id) == cm.TAKEN_OVER
    assert h.get(models.LoadBalancer, lb_id) is None
    assert h.count(models.Amphora) == 0
    assert manager.run_pass() == {}


def test_a_live_claim_keeps_the_manager_out(worker, manager):
    lb_id = h.make_lb()
    overdue(lb_id, c.PENDING_CREATE)
    assert claims.try_claim(lb_id, 'other-worker')
    assert manager.reconcile(lb_id) == cm.BUSY
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
        c.PENDING_CREATE)
    # The other worker dies: its claim expires, the next pass takes over.
    with h.db_api.session_scope() as session:
        session.get(models.ControllerClaim, lb_id).expires_at = LONG_AGO
    assert manager.reconcile(lb_id) == cm.TAKEN_OVER
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ERROR
    # Released after the pass.
    assert h.get(models.ControllerClaim, lb_id) is None
