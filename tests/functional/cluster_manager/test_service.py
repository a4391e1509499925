"""The periodic pass runs inside the worker service (octavia-aa-worker
and octavia-aa-all): with no event at all, a stale amphora is replaced
and a missing one rebuilt."""
import datetime
import time

import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import rpc
from octavia_aa.controller.worker import service as worker_service
from octavia_aa.db import models
from tests.functional.worker import helpers as h

# Safety net for the poll, not a measurement.
WITHIN = 60


def poll(predicate, what):
    deadline = time.monotonic() + WITHIN
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail('gave up waiting for ' + what)
        time.sleep(0.1)


def test_periodic_pass_repairs_without_events(worker):
    h.override('reconcile_interval', 1, 'cluster_manager')
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    stale = h.amphorae(lb_id)[0]
    with h.db_api.session_scope() as session:
        session.merge(models.AmphoraHealth(
            amphora_id=stale.id, last_update=datetime.datetime(2000, 1, 1)))
    rpc.reset()
    svc = worker_service.WorkerService()
    svc.start()
    try:
        assert svc.cluster_manager is not None
        poll(lambda: h.get(models.Amphora, stale.id) is None and
             len(h.amphorae(lb_id)) == 3 and
             h.get(models.LoadBalancer, lb_id).provisioning_status ==
             c.ACTIVE, 'the periodic pass to replace the stale amphora')
    finally:
        svc.stop()
        rpc.reset()
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.operating_status == c.ONLINE


def test_cluster_manager_can_be_switched_off(db):
    h.override('enabled', False, 'cluster_manager')
    rpc.reset()
    svc = worker_service.WorkerService()
    svc.start()
    try:
        assert svc.cluster_manager is None
    finally:
        svc.stop()
        rpc.reset()
