"""A worker killed in the middle of a flow finishes it when it starts
again: Taskflow persistence, across real processes."""
import signal

from octavia_aa.common import constants as c
from octavia_aa.db import models
from tests.functional.rpc import worker_process
from tests.functional.worker import drivers_for_tests
from tests.functional.worker import helpers as h


def test_killed_worker_resumes_its_flow(tmp_path, shared_db, caster):
    worker_process.require_broker()
    plugins = drivers_for_tests.publish(tmp_path)
    marker = tmp_path / 'hanging-in-build'
    worker = worker_process.WorkerProcess(tmp_path, shared_db, plugins)
    try:
        # First life: the compute build never returns.
        worker.start('[controller_worker]\n'
                     'compute_driver = compute_hanging_test_driver\n',
                     env={'HANG_MARKER': str(marker)})
        lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
        caster(worker, 'create_load_balancer', load_balancer_id=lb_id)
        worker.wait_for(marker.exists, 'the flow to reach the build')
        worker.stop(signal.SIGKILL)
        (amp,) = h.amphorae(lb_id)
        assert amp.status == c.PENDING_CREATE
        assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
            c.PENDING_CREATE)

        # Second life, with a compute driver that works: no cast needed.
        worker.start()
        worker.wait_for(lambda: h.get(models.LoadBalancer, lb_id)
                        .provisioning_status != c.PENDING_CREATE,
                        'the resumed flow')
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.fault) == (c.ACTIVE, None)
        # The amphora row of the first life was carried on, not doubled.
        (resumed,) = h.amphorae(lb_id)
        assert resumed.id == amp.id and resumed.status == c.ALLOCATED
        assert 'Resuming flow' in worker.log.read_text()
    finally:
        code = worker.stop()
        worker.remove_from_broker()
    assert code == 0, worker_process.tail(worker.log)


def test_worker_killed_after_an_allocation_leaks_no_address(
        tmp_path, shared_db, caster):
    """Killed between an amphora's address allocation and its record: the
    resumed flow gets the same address back (one row per owner), and the
    delete leaves no address behind."""
    worker_process.require_broker()
    plugins = drivers_for_tests.publish(tmp_path)
    marker = tmp_path / 'hanging-in-plug'
    worker = worker_process.WorkerProcess(tmp_path, shared_db, plugins)
    try:
        worker.start('[controller_worker]\n'
                     'network_driver = network_hanging_plug_test_driver\n',
                     env={'HANG_MARKER': str(marker)})
        lb_id = h.make_lb(c.TOPOLOGY_SINGLE)
        caster(worker, 'create_load_balancer', load_balancer_id=lb_id)
        worker.wait_for(marker.exists, 'the flow to allocate and hang')
        worker.stop(signal.SIGKILL)
        (amp,) = h.amphorae(lb_id)
        assert amp.vrrp_port_id is None
        (first,) = h.rows(models.IpAllocation,
                          models.IpAllocation.owner == 'amphora:' + amp.id)

        worker.start()
        worker.wait_for(lambda: h.get(models.LoadBalancer, lb_id)
                        .provisioning_status == c.ACTIVE, 'the resumed flow')
        (again,) = h.rows(models.IpAllocation,
                          models.IpAllocation.owner == 'amphora:' + amp.id)
        assert again.port_id == first.port_id == h.amphorae(
            lb_id)[0].vrrp_port_id
        _pending_delete(lb_id)
        caster(worker, 'delete_load_balancer', load_balancer_id=lb_id)
        worker.wait_for(lambda: h.get(models.LoadBalancer, lb_id) is None,
                        'the delete')
        assert h.rows(models.IpAllocation) == []
    finally:
        code = worker.stop()
        worker.remove_from_broker()
    assert code == 0, worker_process.tail(worker.log)


def _pending_delete(lb_id):
    with h.db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).provisioning_status = (
            c.PENDING_DELETE)
