"""With the jobboard on, a cast's flow is posted as a job and the
worker's conductor runs it; a failing flow still ends in ERROR with its
fault, and the job and its logbook are gone afterwards."""
import contextlib
import datetime
import threading
import time

import redis

from octavia_aa.common import constants as c
from octavia_aa.common import rpc
from octavia_aa.controller.cluster_manager import manager as cm
from octavia_aa.controller.worker import controller_worker
from octavia_aa.controller.worker import jobboard as jobboard_mod
from octavia_aa.controller.worker import service as worker_service
from octavia_aa.db import models
from tests.functional.worker import helpers as h


def run_worker():
    rpc.reset()
    svc = worker_service.WorkerService()
    svc.start()
    return svc


def test_create_and_failure_go_through_the_jobboard(jobboard):
    svc = run_worker()
    try:
        assert svc.conductor is not None
        worker = svc.worker
        lb_id = h.make_lb(desired=2, standby=1)
        worker.create_load_balancer(lb_id)
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                                 c.ONLINE)
        assert len(h.amphorae(lb_id)) == 3

        h.override('compute_driver', 'compute_failing_test_driver',
                   'controller_worker')
        h.drivers.reset()
        # Build 1 works, build 2 fails: the create reverts.
        failing = h.make_lb(desired=2, standby=0)
        worker.create_load_balancer(failing)
        lb = h.get(models.LoadBalancer, failing)
        assert lb.provisioning_status == c.ERROR
        assert 'compute quota exceeded' in lb.fault
        assert h.amphorae(failing) == []
        # Nothing left on the board or in persistence.
        assert svc.conductor.board.job_count == 0
        with contextlib.closing(
                worker.runner.backend.get_connection()) as conn:
            assert list(conn.get_logbooks()) == []
    finally:
        svc.stop()
        rpc.reset()
    keys = list(redis.Redis().scan_iter(match=jobboard + '*'))
    assert all(b'sequence' in k or b'listings' in k or b'trash' in k
               for k in keys), keys


def test_cluster_manager_leaves_a_queued_job_alone(jobboard):
    """No conductor is running (all workers were down): the load
    balancer is long PENDING_CREATE, but its job is on the board, so the
    cluster manager does not end it; once a conductor runs, the job
    finishes it."""
    worker = controller_worker.ControllerWorker()
    lb_id = h.make_lb(desired=1, standby=1)
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).updated_at = (
            datetime.datetime(2000, 1, 1))
    poster = threading.Thread(target=worker.create_load_balancer,
                              args=(lb_id,))
    poster.start()
    deadline = time.monotonic() + 60
    while not worker.queued(lb_id):
        assert time.monotonic() < deadline, 'the job was never posted'
        time.sleep(0.05)
    assert cm.ClusterManager(worker).reconcile(lb_id) == cm.WAITING
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
        c.PENDING_CREATE)

    conductor = jobboard_mod.ConductorService(worker)
    conductor.start()
    try:
        poster.join(60)
        assert not poster.is_alive()
        assert not worker.queued(lb_id)
    finally:
        conductor.stop()
        worker.close()
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE
