"""Events from the health manager reach the cluster manager over RPC
(in-process transport, the all-in-one's path) at once: an amphora a
distributor reports dead is replaced without waiting for its heartbeat
timeout, and a stale amphora is replaced on the stale check's cast.
The periodic reconcile pass is switched off, so only the events can do
it."""
import datetime
import time

from prometheus_client import REGISTRY
import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import heartbeat
from octavia_aa.common import rpc
from octavia_aa.controller.worker import service as worker_service
from octavia_aa.db import models
from tests.functional.healthmanager.conftest import KEY
from tests.functional.worker import helpers as h

# Safety net for the polls, not a measurement.
WITHIN = 60


def poll(predicate, what):
    deadline = time.monotonic() + WITHIN
    while not predicate():
        if time.monotonic() > deadline:
            pytest.fail('gave up waiting for ' + what)
        time.sleep(0.05)


@pytest.fixture
def workers(db):
    h.override('reconcile_interval', 3600, 'cluster_manager')
    rpc.reset()
    svc = worker_service.WorkerService()
    svc.start()
    yield svc
    svc.stop()
    rpc.reset()


def _sample(name, **labels):
    return REGISTRY.get_sample_value(name, labels) or 0


def replaced(lb_id, amphora_id):
    lb = h.get(models.LoadBalancer, lb_id)
    return (h.get(models.Amphora, amphora_id) is None and
            lb.provisioning_status == c.ACTIVE and
            len(h.amphorae(lb_id)) == 3)


def test_distributor_report_replaces_the_amphora(worker, health_manager,
                                                 workers):
    # Heartbeats alone would take an hour to call it stale.
    h.override('heartbeat_timeout', 3600, 'health_manager')
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    dead = next(a for a in h.amphorae(lb_id) if a.role == c.ROLE_IN_CLUSTER)
    distributor_id = h.rows(models.Cluster)[0].distributor_id
    sender = heartbeat.HeartbeatSender(
        KEY, ['127.0.0.1:%d' % health_manager.address[1]])
    phase = 'octavia_aa_failover_phase_seconds_count'
    before = {p: _sample(phase, kind='amphora', phase=p)
              for p in ('reported', 'replacement', 'replaced')}
    lag = _sample('octavia_aa_heartbeat_lag_seconds_count',
                  kind='distributor')
    # What distributor_agent sends once its prober gave up on one.
    sender.send({'type': 'distributor', 'ver': 1, 'id': distributor_id,
                 'seq': 1, 'vrrp': None, 'load_balancers': {lb_id: {
                     'vip': '203.0.113.5', 'digest': 'x',
                     'amphorae': {dead.id: {
                         'position': 0, 'role': 'ACTIVE', 'state': 'FAILED',
                         'failed_at': time.time()}}}}})
    poll(lambda: replaced(lb_id, dead.id), 'the reported amphora replaced')
    roles = sorted(a.role for a in h.amphorae(lb_id))
    assert roles == [c.ROLE_IN_CLUSTER] * 2 + [c.ROLE_IN_CLUSTER_STANDBY]
    assert h.get(models.LoadBalancer, lb_id).operating_status == c.ONLINE
    assert h.get(models.DistributorHealth, distributor_id) is not None
    sender.close()
    # The failover's three phases, each once (the worker counts it a
    # moment after its last task made the load balancer ACTIVE).
    poll(lambda: _sample('octavia_aa_failovers_total', kind='amphora',
                         load_balancer_id=lb_id, result='success') == 1,
         'the failover counted')
    for p, count in before.items():
        assert _sample(phase, kind='amphora', phase=p) == count + 1, p
    assert _sample('octavia_aa_heartbeat_lag_seconds_count',
                   kind='distributor') == lag + 1


def test_stale_amphora_wakes_the_cluster_manager(worker, health_manager,
                                                 workers):
    lb_id = h.make_lb(desired=2, standby=1)
    worker.create_load_balancer(lb_id)
    stale = h.amphorae(lb_id)[0]
    with h.db_api.session_scope() as session:
        session.merge(models.AmphoraHealth(
            amphora_id=stale.id, last_update=datetime.datetime(2000, 1, 1)))
    assert health_manager.check_stale() == [stale.id]
    poll(lambda: replaced(lb_id, stale.id), 'the stale amphora replaced')
