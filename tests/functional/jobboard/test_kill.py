"""A worker killed with SIGKILL in the middle of a create: its job's
claim on the Redis jobboard lapses and another worker process's
conductor finishes the create from the persisted flow (two real worker
processes, RabbitMQ for the cast, a shared database and persistence)."""
import signal

import sqlalchemy as sa

from octavia_aa.common import constants as c
from octavia_aa.controller.worker import jobboard
from octavia_aa.db import models
from tests.functional.rpc import worker_process
from tests.functional.rpc.conftest import caster  # noqa: F401
from tests.functional.rpc.conftest import shared_db  # noqa: F401
from tests.functional.worker import drivers_for_tests
from tests.functional.worker import helpers as h


def job_books(persistence, host):
    engine = sa.create_engine(persistence)
    try:
        with engine.connect() as conn:
            return conn.execute(
                sa.text('SELECT count(*) FROM logbooks WHERE name = :n'),
                {'n': jobboard.JOB_BOOK_PREFIX + host}).scalar()
    finally:
        engine.dispose()


def conf(namespace, persistence, compute='compute_noop_driver'):
    return ('[controller_worker]\ncompute_driver = %s\n'
            '[task_flow]\njobboard_enabled = True\n'
            'jobboard_backend_namespace = %s\n'
            'jobboard_expiration_time = 3\n'
            'persistence_connection = %s\n'
            '[cluster_manager]\nclaim_timeout = 4\n'
            % (compute, namespace, persistence))


def test_killed_workers_create_is_finished_by_another(
        tmp_path, shared_db, caster, namespace):  # noqa: F811
    worker_process.require_broker()
    plugins = drivers_for_tests.publish(tmp_path)
    persistence = 'sqlite:///%s' % (tmp_path / 'taskflow.sqlite')
    marker = tmp_path / 'hanging-in-build'
    workers = []
    for name in ('a', 'b'):
        (tmp_path / name).mkdir()
        workers.append(worker_process.WorkerProcess(
            tmp_path / name, shared_db, plugins))
    first, second = workers
    try:
        first.start(conf(namespace, persistence,
                         'compute_hanging_test_driver'),
                    env={'HANG_MARKER': str(marker)})
        lb_id = h.make_lb(desired=1, standby=1)
        caster(first, 'create_load_balancer', load_balancer_id=lb_id)
        first.wait_for(marker.exists, 'the job to reach a compute build')
        second.start(conf(namespace, persistence))
        first.stop(signal.SIGKILL)
        assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
            c.PENDING_CREATE)
        built = {a.id for a in h.amphorae(lb_id)}

        second.wait_for(lambda: h.get(models.LoadBalancer, lb_id)
                        .provisioning_status != c.PENDING_CREATE,
                        'the other worker to finish the create')
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.fault) == (c.ACTIVE, None)
        amps = h.amphorae(lb_id)
        # Carried on from the persisted state, not built anew.
        assert built <= {a.id for a in amps}
        assert sorted(a.role for a in amps) == [
            c.ROLE_IN_CLUSTER, c.ROLE_IN_CLUSTER_STANDBY]
        assert {a.status for a in amps} == {c.ALLOCATED}
        # The dead worker's controller claim was taken over, and released
        # once the job was done.
        second.wait_for(lambda: h.count(models.ControllerClaim) == 0,
                        'the claim released')
        # The killed poster's logbook goes when that worker is back.
        assert job_books(persistence, first.host) == 1
        first.start(conf(namespace, persistence))
        first.wait_for(lambda: job_books(persistence, first.host) == 0,
                       'the restarted worker to purge its finished job')
    finally:
        codes = [w.stop() for w in workers]
        for w in workers:
            w.remove_from_broker()
    assert codes == [0, 0], worker_process.tail(second.log)
