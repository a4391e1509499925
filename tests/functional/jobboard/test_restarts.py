"""A worker SIGKILLed in the middle of creates and restarted on the same
host (same [DEFAULT] host, as a supervisor does): the jobs of its dead
life are run by its next life once their claims lapse, not renewed
forever under a shared conductor name; and with the jobboard on, a
worker stops within seconds of SIGTERM, even with a job under way.
Real worker processes, RabbitMQ for the casts, Redis for the board."""
import signal
import subprocess
import time

import pytest
import redis

from octavia_aa.common import constants as c
from octavia_aa.db import models
from tests.functional.jobboard import conftest
from tests.functional.jobboard import test_kill
from tests.functional.rpc import worker_process
from tests.functional.rpc.conftest import caster  # noqa: F401
from tests.functional.rpc.conftest import shared_db  # noqa: F401
from tests.functional.worker import drivers_for_tests
from tests.functional.worker import helpers as h

KILLS = 10
# Correctness bounds (the issue's), not benchmarks.
ALL_ACTIVE_WITHIN = 60
SIGTERM_EXIT_WITHIN = 5


def started(markers, lb_id):
    """Whether a build of one of lb_id's amphorae has begun."""
    amp_ids = {a.id for a in h.amphorae(lb_id)}
    return any(p.name.split('.')[0] in amp_ids for p in markers.iterdir())


def jobs_on_board(namespace):
    client = redis.Redis(*conftest.REDIS)
    try:
        return sum(client.hlen(key) for key in
                   client.scan_iter(match=namespace + '*listings*'))
    finally:
        client.close()


def leaked_addresses():
    """ip_allocation rows whose owner does not exist, or an owner with
    more than one address on a subnet."""
    rows = h.rows(models.IpAllocation)
    lbs = {lb.id for lb in h.rows(models.LoadBalancer)}
    amps = {a.id for a in h.rows(models.Amphora)}
    bad, seen = [], set()
    for row in rows:
        kind, _, ident = row.owner.partition(':')
        ident = ident.split(':')[0]
        key = (row.owner, row.subnet_id)
        if key in seen or (kind == 'vip' and ident not in lbs) or (
                kind == 'amphora' and ident not in amps):
            bad.append((row.owner, row.ip_address))
        seen.add(key)
    return bad


@pytest.fixture
def slow_worker(tmp_path, shared_db, namespace):  # noqa: F811
    worker_process.require_broker()
    plugins = drivers_for_tests.publish(tmp_path)
    persistence = 'sqlite:///%s' % (tmp_path / 'taskflow.sqlite')
    markers = tmp_path / 'builds'
    markers.mkdir()
    (tmp_path / 'w').mkdir()
    worker = worker_process.WorkerProcess(tmp_path / 'w', shared_db, plugins)
    worker.markers = markers
    worker.conf = test_kill.conf(namespace, persistence,
                                 'compute_slow_test_driver')
    worker.env = {'SLOW_MARKERS': str(markers), 'SLOW_SECONDS': '1.5'}
    yield worker
    worker.stop(signal.SIGKILL)
    worker.remove_from_broker()


def test_ten_kills_mid_create_all_finish(slow_worker, caster,  # noqa: F811
                                         namespace):
    worker = slow_worker
    worker.start(worker.conf, env=worker.env)
    lb_ids = []
    for _ in range(KILLS):
        lb_id = h.make_lb(desired=1, standby=0)
        lb_ids.append(lb_id)
        caster(worker, 'create_load_balancer', load_balancer_id=lb_id)
        worker.wait_for(lambda: started(worker.markers, lb_id),
                        'the create of %s to reach a build' % lb_id)
        worker.stop(signal.SIGKILL)
        assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
            c.PENDING_CREATE)
        worker.start(worker.conf, env=worker.env)
    killed_at = time.monotonic()

    def statuses():
        return {lb_id: h.get(models.LoadBalancer, lb_id).provisioning_status
                for lb_id in lb_ids}
    while (time.monotonic() - killed_at < ALL_ACTIVE_WITHIN and
           set(statuses().values()) != {c.ACTIVE}):
        time.sleep(0.5)
    assert set(statuses().values()) == {c.ACTIVE}, (
        statuses(), worker_process.tail(worker.log))
    for lb_id in lb_ids:
        assert len(h.amphorae(lb_id)) == 1
    # Nothing stuck: no job left on the board, no claim held.
    worker.wait_for(lambda: h.count(models.ControllerClaim) == 0,
                    'the claims released')
    worker.wait_for(lambda: jobs_on_board(namespace) == 0,
                    'the board emptied')
    # Nothing leaked: one address per owner, none without an owner.
    assert leaked_addresses() == []


def test_sigterm_with_a_job_under_way_exits_quickly(  # noqa: F811
        slow_worker, caster):
    worker = slow_worker
    worker.env['SLOW_SECONDS'] = '600'
    worker.start(worker.conf, env=worker.env)
    lb_id = h.make_lb(desired=1, standby=0)
    caster(worker, 'create_load_balancer', load_balancer_id=lb_id)
    worker.wait_for(lambda: started(worker.markers, lb_id),
                    'the create to reach a build')
    begun = time.monotonic()
    worker.proc.send_signal(signal.SIGTERM)
    try:
        worker.proc.wait(SIGTERM_EXIT_WITHIN)
    except subprocess.TimeoutExpired:
        pytest.fail('the worker was still running %ds after SIGTERM:\n%s'
                    % (SIGTERM_EXIT_WITHIN, worker_process.tail(worker.log)))
    assert time.monotonic() - begun <= SIGTERM_EXIT_WITHIN
    assert 'Stopped' in worker.log.read_text()
    # The job it left is finished by its next life.
    worker.env['SLOW_SECONDS'] = '0.1'
    worker.start(worker.conf, env=worker.env)
    worker.wait_for(lambda: h.get(models.LoadBalancer, lb_id)
                    .provisioning_status == c.ACTIVE, 'the create finished')
