"""What the compute driver is handed: a whole machine spec (image tag and
compute flavor from the flavor profile or [controller_worker], the
cluster's server group, the management port), with the noop drivers."""
import json
import subprocess
import sys

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from tests.functional.worker import helpers as h


def _flavor(data):
    with db_api.session_scope() as session:
        profile = models.FlavorProfile(name='fp', provider_name='amphora',
                                       flavor_data=json.dumps(data))
        session.add(profile)
        session.flush()
        flavor = models.Flavor(name='f', flavor_profile_id=profile.id,
                               enabled=True)
        session.add(flavor)
        session.flush()
        return flavor.id


def _machines(lb_id):
    ids = {a.id for a in h.amphorae(lb_id)}
    return [m for m in drivers.get('compute').machines.values()
            if m['entity_id'] in ids]


def test_flavor_profile_and_server_group_reach_the_compute_driver(worker):
    lb_id = h.make_lb(desired=2, standby=1)
    flavor_id = _flavor({'compute_flavor': 'amp-large',
                         'amp_image_tag': 'aa-amphora'})
    with db_api.session_scope() as session:
        session.get(models.LoadBalancer, lb_id).flavor_id = flavor_id
    worker.create_load_balancer(lb_id)

    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ACTIVE, lb.fault
    compute = drivers.get('compute')
    assert compute.server_groups == {lb.server_group_id: {
        'name': 'octavia-lb-%s' % lb_id, 'policy': 'anti-affinity'}}
    machines = _machines(lb_id)
    assert len(machines) == 3
    for machine in machines:
        assert machine['compute_flavor'] == 'amp-large'
        assert machine['image_tag'] == 'aa-amphora'
        assert machine['server_group_id'] == lb.server_group_id
        assert len(machine['port_ids']) == 1       # the management port
    assert {a.compute_flavor for a in h.amphorae(lb_id)} == {'amp-large'}

    worker.delete_load_balancer(lb_id)
    assert compute.server_groups == {}


def test_configured_defaults_and_no_group_for_single(worker):
    h.override('amp_image_tag', 'default-tag', 'controller_worker')
    h.override('amp_flavor_id', 'default-flavor', 'controller_worker')
    lb_id = h.make_lb(topology=c.TOPOLOGY_SINGLE, cluster=False)
    worker.create_load_balancer(lb_id)
    lb = h.get(models.LoadBalancer, lb_id)
    assert lb.provisioning_status == c.ACTIVE, lb.fault
    assert lb.server_group_id is None
    (machine,) = _machines(lb_id)
    assert (machine['image_tag'], machine['compute_flavor'],
            machine['server_group_id']) == ('default-tag', 'default-flavor',
                                            None)


def test_topology_strategies_import_nothing_of_the_controller():
    code = ('import sys, octavia_aa.topology as t\n'
            'from octavia_aa.common import constants as c\n'
            '[t.get(n) for n in c.SUPPORTED_TOPOLOGIES]\n'
            'print(sorted(m for m in sys.modules\n'
            '             if m.startswith("octavia_aa.controller")))\n')
    out = subprocess.run([sys.executable, '-c', code], check=True,
                         capture_output=True, text=True).stdout
    assert out.strip() == '[]'
