"""Two real worker processes: the first one's cluster manager starts
replacing a stale amphora and is killed with SIGKILL in the middle of
the replacement's build; the second one's cluster manager finds the load
balancer PENDING_UPDATE with an expired claim, resumes the dead worker's
persisted failover from the shared persistence, and the load balancer
ends ACTIVE with the failed amphora replaced."""
import datetime
import signal

from octavia_aa.common import constants as c
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import models
from tests.functional.rpc import worker_process
from tests.functional.rpc.conftest import shared_db  # noqa: F401
from tests.functional.worker import drivers_for_tests
from tests.functional.worker import helpers as h


def conf(persistence, compute='compute_noop_driver'):
    return ('[controller_worker]\ncompute_driver = %s\n'
            '[task_flow]\npersistence_connection = %s\n'
            '[cluster_manager]\nreconcile_interval = 1\n'
            'claim_timeout = 4\npending_timeout = 2\n'
            % (compute, persistence))


def test_second_worker_finishes_a_killed_workers_repair(
        tmp_path, shared_db):  # noqa: F811
    worker_process.require_broker()
    plugins = drivers_for_tests.publish(tmp_path)
    persistence = 'sqlite:///%s' % (tmp_path / 'taskflow.sqlite')
    h.override('persistence_connection', persistence, 'task_flow')
    marker = tmp_path / 'hanging-in-build'
    # The load balancer is built here, on noop drivers.
    builder = controller_worker.ControllerWorker()
    lb_id = h.make_lb(desired=2, standby=1)
    builder.create_load_balancer(lb_id)
    builder.close()
    h.report_health(lb_id)
    stale = next(a for a in h.amphorae(lb_id)
                 if a.role == c.ROLE_IN_CLUSTER)
    with h.db_api.session_scope() as session:
        session.merge(models.AmphoraHealth(
            amphora_id=stale.id, last_update=datetime.datetime(2000, 1, 1)))

    workers = []
    for name in ('a', 'b'):
        (tmp_path / name).mkdir()
        workers.append(worker_process.WorkerProcess(
            tmp_path / name, shared_db, plugins))
    first, second = workers
    try:
        first.start(conf(persistence, 'compute_hanging_test_driver'),
                    env={'HANG_MARKER': str(marker)})
        first.wait_for(marker.exists, 'the repair to reach its build')
        first.stop(signal.SIGKILL)
        assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
            c.PENDING_UPDATE)

        second.start(conf(persistence))

        def repaired():
            lb = h.get(models.LoadBalancer, lb_id)
            return (lb.provisioning_status != c.PENDING_UPDATE and
                    h.count(models.ControllerClaim) == 0)
        second.wait_for(repaired, 'the second worker to take over')
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.operating_status) == (c.ACTIVE,
                                                                 c.ONLINE)
        amps = h.amphorae(lb_id)
        assert stale.id not in {a.id for a in amps}
        assert sorted(a.role for a in amps) == [c.ROLE_IN_CLUSTER] * 2 + [
            c.ROLE_IN_CLUSTER_STANDBY]
        assert {a.status for a in amps} == {c.ALLOCATED}
        assert 'taking it over' in second.log.read_text()
    finally:
        codes = [w.stop() for w in workers]
        for w in workers:
            w.remove_from_broker()
    assert codes[1] == 0, worker_process.tail(second.log)
