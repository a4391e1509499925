"""A failover step crosses flow persistence as JSON: it comes back the
same, and a flow stored before FailoverStep existed (a list) still
builds after an upgrade."""
import json

from octavia_aa.common import constants as c
from octavia_aa.controller.worker.flows import load_balancer as lb_flows

FailoverStep = lb_flows.FailoverStep


def test_stored_form_round_trips_through_json():
    step = FailoverStep('a1', c.ROLE_IN_CLUSTER, c.ROLE_IN_CLUSTER,
                        drain=True)
    stored = json.loads(json.dumps(step.as_arg()))
    assert FailoverStep.from_arg(stored) == step


def test_lists_of_earlier_releases_are_read():
    assert FailoverStep.from_arg(['a1', 'MASTER', 'BACKUP']) == \
        FailoverStep('a1', 'MASTER', 'BACKUP', drain=False)
    assert FailoverStep.from_arg(['a1', 'MASTER', 'BACKUP', True]).drain


def test_failover_flow_builds_from_either_form():
    for arg in (['a1', c.ROLE_STANDALONE, c.ROLE_STANDALONE],
                FailoverStep('a1', c.ROLE_STANDALONE,
                             c.ROLE_STANDALONE).as_arg()):
        flow = lb_flows.failover(c.TOPOLOGY_SINGLE, arg, finish=False)
        assert flow.name == 'failover-amphora'
        assert len(flow) == 2
