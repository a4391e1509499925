"""Health manager and housekeeping services, in-process, on the real
database: heartbeats refresh health rows, forged ones do not, a stale
amphora is failed over through the RPC path by the worker, deleted rows
are purged."""
import datetime
import time

import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import heartbeat
from octavia_aa.common import rpc
from octavia_aa.controller.healthmanager import service as hm_service
from octavia_aa.controller.housekeeping import service as hk_service
from octavia_aa.controller.worker import service as worker_service
from octavia_aa.db import models
from tests.functional.worker import helpers as h

KEY = 'test-heartbeat-key'
# Safety net for the polls below, not a measurement.
WITHIN = 30


def poll(predicate, what):
    deadline = time.monotonic() + WITHIN
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail('gave up waiting for ' + what)
        time.sleep(0.05)


@pytest.fixture
def health_manager(db):
    h.override('heartbeat_key', KEY, 'health_manager')
    h.override('bind_ip', '127.0.0.1', 'health_manager')
    h.override('bind_port', 0, 'health_manager')
    # The periodic check must not race the test's explicit check_stale().
    h.override('health_check_interval', 3600, 'health_manager')
    svc = hm_service.HealthManagerService()
    svc.start()
    yield svc
    svc.stop()


def test_heartbeats_refresh_health_rows(worker, health_manager):
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    (amp,) = h.amphorae(lb_id)
    with h.db_api.session_scope() as session:
        session.add(models.Distributor(id='d' * 36, status=c.ACTIVE))
    dest = ['127.0.0.1:%d' % health_manager.address[1]]

    # The amphora's agent reported once when it was finished.
    before = h.get(models.AmphoraHealth, amp.id).last_update
    forger = heartbeat.HeartbeatSender('wrong-key', dest)
    forger.send({'id': amp.id, 'seq': 1, 'ver': 3})
    poll(lambda: health_manager.receiver.counters['forged'] == 1,
         'the forged heartbeat to be dropped')
    assert h.get(models.AmphoraHealth, amp.id).last_update == before

    sender = heartbeat.HeartbeatSender(KEY, dest)
    sender.send({'id': amp.id, 'seq': 2, 'ver': 3, 'listeners': {}})
    sender.send({'id': 'd' * 36, 'seq': 1, 'ver': 1})
    poll(lambda: h.get(models.AmphoraHealth, amp.id).last_update > before
         and h.get(models.DistributorHealth, 'd' * 36) is not None,
         'the health rows')

    # Listener counters: version 3 sends deltas, which add up.
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80)
    worker.create_object('listener', lst)
    report = {'status': 'OPEN', 'stats': {'rx': 100, 'tx': 40, 'conns': 3,
                                          'totconns': 5, 'ereq': 1}}
    for seq in (3, 4):
        sender.send({'id': amp.id, 'seq': seq, 'ver': 3,
                     'listeners': {lst: report, 'not-a-listener': report}})

    def stats():
        return h.get(models.ListenerStatistics, (lst, amp.id))
    poll(lambda: stats() is not None and stats().total_connections == 10,
         'both stats heartbeats')
    row = stats()
    assert (row.bytes_in, row.bytes_out, row.active_connections,
            row.request_errors) == (200, 80, 3, 2)
    assert h.count(models.ListenerStatistics) == 1
    forger.close()
    sender.close()


def test_stale_amphora_is_failed_over_through_rpc(worker, health_manager):
    # In-process messaging (the all-in-one's path): the health manager
    # casts, the worker service consumes.
    rpc.reset()
    workers = worker_service.WorkerService()
    workers.start()
    try:
        lb_id = h.make_lb(desired=1, standby=1)
        worker.create_load_balancer(lb_id)
        stale = next(a for a in h.amphorae(lb_id)
                     if a.role == c.ROLE_IN_CLUSTER)
        with h.db_api.session_scope() as session:
            session.merge(models.AmphoraHealth(
                amphora_id=stale.id,
                last_update=datetime.datetime(2000, 1, 1)))

        assert health_manager.check_stale() == [stale.id]
        # Claimed: a second check does not send it again.
        assert health_manager.check_stale() == []
        poll(lambda: h.get(models.Amphora, stale.id) is None,
             'the failover to replace the amphora')
        poll(lambda: h.get(models.LoadBalancer, lb_id).provisioning_status
             == c.ACTIVE, 'the load balancer to unlock')
        assert sorted(a.role for a in h.amphorae(lb_id)) == [
            c.ROLE_IN_CLUSTER, c.ROLE_IN_CLUSTER_STANDBY]
    finally:
        workers.stop()
        rpc.reset()


def test_failover_threshold_stops_failovers(worker, health_manager):
    h.override('failover_threshold', 2, 'health_manager')
    lb_id = h.make_lb(desired=2, standby=0)
    worker.create_load_balancer(lb_id)
    with h.db_api.session_scope() as session:
        for amp in h.amphorae(lb_id):
            session.merge(models.AmphoraHealth(
                amphora_id=amp.id,
                last_update=datetime.datetime(2000, 1, 1)))
    assert health_manager.check_stale() == []
    assert {a.status for a in h.amphorae(lb_id)} == {c.FAILOVER_STOPPED}
    assert h.get(models.LoadBalancer, lb_id).provisioning_status == c.ACTIVE


def test_housekeeping_purges_deleted_rows(worker):
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    pool = h.add_child('pool', lb_id, load_balancer_id=lb_id,
                       protocol='HTTP', lb_algorithm='ROUND_ROBIN')
    lst = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                      protocol='HTTP', protocol_port=80,
                      default_pool_id=pool)
    keep = h.add_child('listener', lb_id, load_balancer_id=lb_id,
                       protocol='HTTP', protocol_port=81)
    with h.db_api.session_scope() as session:
        session.get(models.Pool, pool).provisioning_status = c.DELETED
        session.get(models.Listener, lst).provisioning_status = c.DELETED
        session.add(models.Amphora(status=c.DELETED))
    assert hk_service.purge_deleted() == 3
    assert h.get(models.Pool, pool) is None
    assert h.get(models.Listener, lst) is None
    assert h.get(models.Listener, keep) is not None
    assert [a.status for a in h.rows(models.Amphora)] == [c.ALLOCATED]
    assert hk_service.purge_deleted() == 0


def test_periodic_check_fails_over_after_the_grace_period(worker, db):
    h.override('heartbeat_timeout', 1, 'health_manager')
    h.override('health_check_interval', 1, 'health_manager')
    h.override('bind_ip', '127.0.0.1', 'health_manager')
    h.override('bind_port', 0, 'health_manager')
    rpc.reset()
    services = [worker_service.WorkerService(),
                hm_service.HealthManagerService()]
    lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
    worker.create_load_balancer(lb_id)
    (stale,) = h.amphorae(lb_id)
    with h.db_api.session_scope() as session:
        session.merge(models.AmphoraHealth(
            amphora_id=stale.id, last_update=datetime.datetime(2000, 1, 1)))
    for svc in services:
        svc.start()
    try:
        poll(lambda: h.get(models.Amphora, stale.id) is None,
             'the periodic check to fail the amphora over')
        poll(lambda: h.get(models.LoadBalancer, lb_id).provisioning_status
             == c.ACTIVE, 'the load balancer to unlock')
        (new,) = h.amphorae(lb_id)
        assert new.role == c.ROLE_STANDALONE
    finally:
        for svc in reversed(services):
            svc.stop()
        rpc.reset()
