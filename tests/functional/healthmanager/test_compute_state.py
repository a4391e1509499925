"""The health manager says why an amphora went quiet when the compute
service knows: its server deleted (or in ERROR) there."""
from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.compute import spec as spec_mod
from octavia_aa.controller.healthmanager import health_db
from octavia_aa.db import api as db_api
from octavia_aa.db import models


def _amphora(compute_id):
    with db_api.session_scope() as session:
        lb = models.LoadBalancer(
            project_id='p1', topology=c.TOPOLOGY_SINGLE, provider='amphora',
            provisioning_status=c.ACTIVE, operating_status=c.ONLINE)
        session.add(lb)
        session.flush()
        amp = models.Amphora(load_balancer_id=lb.id, status=c.ALLOCATED,
                             role=c.ROLE_STANDALONE, compute_id=compute_id)
        session.add(amp)
        session.flush()
        return amp.id


def test_deleted_server_named_alive_one_not(database):
    compute = drivers.get('compute')
    alive = compute.build(spec_mod.MachineSpec(
        name='amphora-alive', kind=spec_mod.AMPHORA, entity_id='e1'))
    gone = _amphora('no-such-server')
    assert health_db.compute_state(gone) == (
        ' (its server no-such-server is DELETED in the compute service)')
    assert health_db.compute_state(_amphora(alive)) == ''
    assert health_db.compute_state(_amphora(None)) == ''
    assert health_db.compute_state('no-such-amphora') == ''
