"""The API's casts reach a separate octavia-aa-worker process through the
machine's real RabbitMQ, and the worker's flows finish in the shared
database.  No broker is a failure, not a skip: this is the test that the
cross-process path works."""
from octavia_aa.common import constants as c
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from tests.functional.rpc import worker_process
from tests.functional.worker import helpers as h


def test_cast_reaches_worker_process_over_rabbitmq(tmp_path, shared_db,
                                                   caster):
    worker_process.require_broker()
    worker = worker_process.WorkerProcess(tmp_path, shared_db)
    try:
        worker.start()
        lb_id = h.make_lb(desired=2, standby=1)
        caster(worker, 'create_load_balancer', load_balancer_id=lb_id)
        worker.wait_for(lambda: h.get(models.LoadBalancer, lb_id)
                        .provisioning_status != c.PENDING_CREATE,
                        'the create flow')
        lb = h.get(models.LoadBalancer, lb_id)
        assert (lb.provisioning_status, lb.fault) == (c.ACTIVE, None)
        assert len(h.amphorae(lb_id)) == 3
        assert len(h.registrations(lb_id)) == 3

        # A child object's cast, with the locks the API takes.
        listener_id = h.add_child('listener', lb_id,
                                  load_balancer_id=lb_id, protocol='TCP',
                                  protocol_port=443)
        caster(worker, 'create_listener', listener_id=listener_id)
        worker.wait_for(lambda: h.get(models.Listener, listener_id)
                        .provisioning_status != c.PENDING_CREATE,
                        'the listener flow')
        assert h.get(models.Listener, listener_id).provisioning_status == (
            c.ACTIVE)
        assert h.get(models.LoadBalancer, lb_id).provisioning_status == (
            c.ACTIVE)

        with db_api.session_scope() as session:
            session.get(models.LoadBalancer, lb_id).provisioning_status = (
                c.PENDING_DELETE)
        caster(worker, 'delete_load_balancer', load_balancer_id=lb_id,
               cascade=True)
        worker.wait_for(lambda: h.get(models.LoadBalancer, lb_id) is None,
                        'the delete flow')
        assert h.count(models.Amphora) == 0
        assert h.count(models.Listener) == 0
        assert h.ipam_owners() == []
    finally:
        code = worker.stop()
        worker.remove_from_broker()
    # SIGTERM is a clean stop, not a crash.
    assert code == 0, worker_process.tail(worker.log)
    assert 'Stopped' in worker.log.read_text()
