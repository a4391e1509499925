"""Stale amphorae and distributors claimed by several health managers
at once (threads with their own sessions, as processes would have) on
SQLite and on the machine's real MariaDB and PostgreSQL: each stale row
is claimed by exactly one of them, a heartbeat frees the claim, and the
circuit breaker still stops everything past the threshold."""
import datetime
import threading

from octavia_aa.common import constants as c
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.db import models
from tests.functional.worker import helpers as h

LONG_AGO = datetime.datetime(2000, 1, 1)
CHECKERS = 3


def stale_rows(lb_count=4):
    """ACTIVE load balancers of two amphorae (noop), all stale."""
    with h.db_api.session_scope() as session:
        for n in range(lb_count):
            lb = models.LoadBalancer(
                project_id='p1', topology=c.TOPOLOGY_SINGLE,
                provider='amphora', provisioning_status=c.ACTIVE,
                operating_status=c.ONLINE)
            session.add(lb)
            session.flush()
            for _ in range(2):
                amp = models.Amphora(load_balancer_id=lb.id,
                                     status=c.ALLOCATED,
                                     role=c.ROLE_STANDALONE)
                session.add(amp)
                session.flush()
                session.add(models.AmphoraHealth(amphora_id=amp.id,
                                                 last_update=LONG_AGO))
            dist = models.Distributor(status=c.ACTIVE)
            session.add(dist)
            session.flush()
            session.add(models.DistributorHealth(distributor_id=dist.id,
                                                 last_update=LONG_AGO))


def concurrently(func):
    barrier = threading.Barrier(CHECKERS)
    results = [None] * CHECKERS

    def run(index):
        barrier.wait()
        results[index] = func()

    threads = [threading.Thread(target=run, args=(i,))
               for i in range(CHECKERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_each_stale_row_is_claimed_once(any_db):
    stale_rows()
    results = concurrently(lambda: (health_db.claim_stale_amphorae(),
                                    health_db.claim_stale_distributors()))
    amps = [a for claimed, _ in results for a, _lb in claimed]
    dists = [d for _, claimed in results for d in claimed]
    assert len(amps) == len(set(amps)) == 8
    assert len(dists) == len(set(dists)) == 4
    assert {d.status for d in h.rows(models.Distributor)} == {c.ERROR}
    # Claimed rows are not claimed again.
    assert health_db.claim_stale_amphorae() == []
    assert health_db.claim_stale_distributors() == []

    # A heartbeat frees the claim (and brings the distributor back).
    health_db.record_heartbeat({'id': amps[0]})
    health_db.record_heartbeat({'id': dists[0]})
    assert not h.get(models.AmphoraHealth, amps[0]).busy
    assert h.get(models.Distributor, dists[0]).status == c.ACTIVE


def test_circuit_breaker_stops_them_all(any_db):
    h.override('failover_threshold', 5, 'health_manager')
    stale_rows()
    results = concurrently(health_db.claim_stale_amphorae)
    assert results == [[]] * CHECKERS
    assert {a.status for a in h.rows(models.Amphora)} == {
        c.FAILOVER_STOPPED}
    # Back from the outage: a heartbeat makes the amphora managed again.
    amp = h.rows(models.Amphora)[0]
    health_db.record_heartbeat({'id': amp.id})
    assert h.get(models.Amphora, amp.id).status == c.ALLOCATED
