"""A distributor reporting a VRRP takeover gets its dead peer failed and
rebuilt at once (issue 10, item 6), over the real in-process RPC path:
heartbeat -> health manager -> cast -> worker.  Without the report the
peer would stay ACTIVE for heartbeat_timeout (an hour here)."""
import datetime
import time

import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.common import heartbeat
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import models
from tests.functional.healthmanager.conftest import KEY
from tests.functional.healthmanager.test_events import poll
from tests.functional.healthmanager.test_events import workers  # noqa: F401
from tests.functional.worker import helpers as h


def pair(master_heard_ago):
    """ACTIVE MASTER + BACKUP; the MASTER last heard that long ago."""
    now = health_db._utcnow()
    with h.db_api.session_scope() as session:
        backup = models.Distributor(status=c.ACTIVE, role=c.ROLE_BACKUP,
                                    compute_id='old-backup',
                                    lb_network_ip='192.0.2.4')
        session.add(backup)
        session.flush()
        master = models.Distributor(status=c.ACTIVE, role=c.ROLE_MASTER,
                                    peer_id=backup.id,
                                    compute_id='old-master',
                                    lb_network_ip='192.0.2.3')
        session.add(master)
        session.flush()
        for dist, ago in ((master, master_heard_ago), (backup, 0)):
            session.add(models.DistributorHealth(
                distributor_id=dist.id,
                last_update=now - datetime.timedelta(seconds=ago)))
        return master.id, backup.id


@pytest.fixture
def failovers(monkeypatch):
    """(distributor id, its status when the failover flow started)."""
    seen = []
    original = controller_worker.ControllerWorker.failover_distributor

    def spy(self, distributor_id):
        seen.append((distributor_id,
                     h.get(models.Distributor, distributor_id).status))
        return original(self, distributor_id)

    monkeypatch.setattr(controller_worker.ControllerWorker,
                        'failover_distributor', spy)
    return seen


def report(health_manager, distributor_id, state, age):
    sender = heartbeat.HeartbeatSender(
        KEY, ['127.0.0.1:%d' % health_manager.address[1]])
    # What distributor_agent sends at once on a VRRP transition.
    sender.send({'type': 'distributor', 'ver': 1, 'id': distributor_id,
                 'vrrp': state, 'vrrp_age': age, 'load_balancers': {}})
    sender.close()


def test_takeover_fails_and_rebuilds_the_silent_master(
        worker, health_manager, workers, failovers):  # noqa: F811
    h.override('heartbeat_timeout', 3600, 'health_manager')
    master_id, backup_id = pair(master_heard_ago=2)
    drivers.get('distributor').unreachable.add(master_id)
    try:
        report(health_manager, backup_id, 'MASTER', 0.3)
        poll(lambda: failovers, 'the failover of the old master')
        # The new machine's id is written when it is built, ACTIVE once
        # its agent answered: wait for both.
        poll(lambda: (lambda d: d.compute_id != 'old-master' and
                      d.status == c.ACTIVE)(
            h.get(models.Distributor, master_id)), 'the old master rebuilt')
    finally:
        drivers.get('distributor').unreachable.discard(master_id)
    # Marked failed first (the API says so), then replaced, once.
    assert failovers == [(master_id, c.ERROR)]
    master = h.get(models.Distributor, master_id)
    assert master.status == c.ACTIVE and master.role == c.ROLE_MASTER
    assert h.get(models.Distributor, backup_id).status == c.ACTIVE
    # The new master's heartbeats keep saying MASTER: no second failover.
    report(health_manager, backup_id, 'MASTER', 5.0)
    time.sleep(0.5)
    assert len(failovers) == 1


def test_a_master_that_answers_is_left_alone(
        worker, health_manager, workers, failovers,  # noqa: F811
        monkeypatch):
    h.override('heartbeat_timeout', 3600, 'health_manager')
    master_id, backup_id = pair(master_heard_ago=2)
    driver = drivers.get('distributor')
    asked, alive = [], driver.alive
    monkeypatch.setattr(driver, 'alive',
                        lambda d: asked.append(d.id) or alive(d))
    # Its agent answers (only its keepalived restarted, say).
    report(health_manager, backup_id, 'MASTER', 0.3)
    poll(lambda: asked, 'the worker asking the old master')
    assert asked == [master_id]
    poll(lambda: not h.get(models.DistributorHealth, master_id).busy,
         'the claim released')
    assert failovers == []
    assert h.get(models.Distributor, master_id).status == c.ACTIVE


def test_no_claim_when_the_peer_was_heard_after_the_takeover(
        worker, health_manager):
    master_id, backup_id = pair(master_heard_ago=0)
    # MASTER for 5 s, the peer heard just now: the peer lives.
    assert health_db.takeover({'id': backup_id, 'vrrp': 'MASTER',
                               'vrrp_age': 5.0}) is None
    for bad in (None, -1, True, 'x', 1e12):
        assert health_db.takeover({'id': backup_id, 'vrrp': 'MASTER',
                                   'vrrp_age': bad}) is None
    assert health_db.takeover({'id': backup_id, 'vrrp': 'BACKUP',
                               'vrrp_age': 0.1}) is None
    assert not h.get(models.DistributorHealth, master_id).busy
