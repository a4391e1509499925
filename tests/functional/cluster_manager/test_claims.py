"""Claims on SQLite and on the machine's real MariaDB and PostgreSQL
(the servers must be up: these tests fail, never skip, without them):
of several processes claiming at once exactly one wins, an expired claim
is taken over, and two cluster managers reconciling the same load
balancers at once repair each of them exactly once."""
import datetime
import threading

from octavia_aa.common import constants as c
from octavia_aa.controller.cluster_manager import manager as cm
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import claims
from octavia_aa.db import models
from tests.functional.worker import helpers as h

LONG_AGO = datetime.datetime(2000, 1, 1)


def at_once(targets):
    """Run the callables in threads released together; their results."""
    barrier = threading.Barrier(len(targets))
    results = [None] * len(targets)

    def run(index, target):
        barrier.wait()
        results[index] = target()

    threads = [threading.Thread(target=run, args=(i, t))
               for i, t in enumerate(targets)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results


def test_one_claimant_wins(any_db):
    for round_ in range(10):
        lb_id = 'lb-%d' % round_
        won = at_once([lambda o=o: claims.try_claim(lb_id, o)
                       for o in ('w1', 'w2', 'w3')])
        assert sorted(won) == [False, False, True], won
    # Held and not expired: nobody else gets it, the holder renews it.
    assert not claims.try_claim('lb-0', 'someone-else')
    holder = claims.live_claims()['lb-0']
    assert claims.try_claim('lb-0', holder)


def test_expired_claim_is_taken_over_once(any_db):
    assert claims.try_claim('lb', 'dead-worker')
    with h.db_api.session_scope() as session:
        session.get(models.ControllerClaim, 'lb').expires_at = LONG_AGO
    won = at_once([lambda o=o: claims.try_claim('lb', o)
                   for o in ('w1', 'w2')])
    assert won.count(True) == 1
    assert claims.live_claims()['lb'] in ('w1', 'w2')
    claims.release('lb', 'dead-worker')     # not the owner: no effect
    assert 'lb' in claims.live_claims()


def test_two_managers_repair_each_load_balancer_once(any_db):
    """Two workers (separate claim owners, as separate processes have)
    run passes at the same time over load balancers each with one stale
    amphora: every one is replaced exactly once."""
    workers = [controller_worker.ControllerWorker(
        claims=claims.Claims(owner=name)) for name in ('w1', 'w2')]
    lb_ids = []
    for _ in range(3):
        lb_id = h.make_lb(desired=1, standby=1)
        workers[0].create_load_balancer(lb_id)
        lb_ids.append(lb_id)
    stale = {lb_id: next(a.id for a in h.amphorae(lb_id)
                         if a.role == c.ROLE_IN_CLUSTER)
             for lb_id in lb_ids}
    with h.db_api.session_scope() as session:
        for amp_id in stale.values():
            session.merge(models.AmphoraHealth(amphora_id=amp_id,
                                               last_update=LONG_AGO))
    managers = [cm.ClusterManager(w) for w in workers]
    try:
        passes = at_once([m.run_pass for m in managers])
        # Whoever lost a claim race finds the work done on its next pass.
        passes += at_once([m.run_pass for m in managers])
    finally:
        for w in workers:
            w.close()
    for lb_id in lb_ids:
        outcomes = [p.get(lb_id) for p in passes]
        assert outcomes.count(cm.REPAIRED) == 1, outcomes
        assert h.get(models.Amphora, stale[lb_id]) is None
        amps = h.amphorae(lb_id)
        assert sorted(a.role for a in amps) == [
            c.ROLE_IN_CLUSTER, c.ROLE_IN_CLUSTER_STANDBY]
        assert {a.status for a in amps} == {c.ALLOCATED}
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.operating_status) == (
            c.ACTIVE, c.ONLINE)
    assert h.count(models.ControllerClaim) == 0
