"""With the jobboard on, a cast's flow is posted as a job and the
worker's conductor runs it; a failing flow still ends in ERROR with its
fault, and the job and its logbook are gone afterwards."""
import contextlib

import redis

from octavia_aa.common import constants as c
from octavia_aa.common import rpc
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
