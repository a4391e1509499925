"""Distributor create and delete (the admin API's casts)."""
import logging

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import heartbeat
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.db import models
from tests.functional.worker import helpers as h


def _new_distributor():
    with h.db_api.session_scope() as session:
        dist = models.Distributor(name='d1', status=c.PENDING_CREATE)
        session.add(dist)
        session.flush()
        return dist.id


def test_create_then_delete(worker):
    dist_id = _new_distributor()
    worker.create_distributor(dist_id)
    dist = h.get(models.Distributor, dist_id)
    assert dist.status == c.ACTIVE
    assert dist.compute_id in drivers.get('compute').machines
    assert dist.lb_network_ip

    with h.db_api.session_scope() as session:
        session.get(models.Distributor, dist_id).status = c.PENDING_DELETE
    worker.delete_distributor(dist_id)
    assert h.get(models.Distributor, dist_id) is None
    assert drivers.get('compute').machines == {}


def test_delete_of_a_distributor_in_use_is_refused(worker):
    dist_id = _new_distributor()
    worker.create_distributor(dist_id)
    lb_id = h.make_lb()
    worker.create_load_balancer(lb_id)
    assert h.rows(models.Cluster)[0].distributor_id == dist_id

    with h.db_api.session_scope() as session:
        session.get(models.Distributor, dist_id).status = c.PENDING_DELETE
    worker.delete_distributor(dist_id)

    dist = h.get(models.Distributor, dist_id)
    assert dist.status == c.ERROR
    assert dist.fault == ('CheckDistributorUnused failed: distributor %s '
                          'still serves 1 load balancers' % dist_id)
    # Still running: the refusal came before the machine was touched.
    assert dist.compute_id in drivers.get('compute').machines


def test_a_rebuilt_distributor_is_heard_whatever_its_clock(worker):
    """Failover rebuilds the machine under the same row: the new agent's
    heartbeats are ordered anew, even if its clock is behind the old
    machine's (whose last heartbeat had a later start time)."""
    dist_id = _new_distributor()
    worker.create_distributor(dist_id)
    old = heartbeat.stamp({'id': dist_id, 'type': 'distributor'})
    assert health_db.record_heartbeat(
        dict(old, boot=old['boot'] + 10 ** 9))[0] == 'distributor'
    worker.failover_distributor(dist_id)
    assert h.get(models.Distributor, dist_id).status == c.ACTIVE
    assert health_db.record_heartbeat(old)[0] == 'distributor'


def test_failover_of_a_deleted_distributor_builds_nothing(worker, caplog):
    """The health manager queued a failover of a distributor that was
    deleted meanwhile (seen on the devcloud: the flow died on the missing
    row with an AttributeError)."""
    dist_id = _new_distributor()
    worker.create_distributor(dist_id)
    with h.db_api.session_scope() as session:
        session.get(models.Distributor, dist_id).status = c.PENDING_DELETE
    worker.delete_distributor(dist_id)
    caplog.set_level(logging.INFO)
    worker.failover_distributor(dist_id)
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert 'is deleted: no failover' in caplog.text
    assert h.get(models.Distributor, dist_id) is None
    assert drivers.get('compute').machines == {}
