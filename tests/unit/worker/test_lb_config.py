"""The configuration pushed to amphorae leaves out objects on their way
out and is JSON-able (it crosses the wire and flow persistence)."""
import json

from octavia_aa.common import constants as c
from octavia_aa.controller.worker import lb_config
from octavia_aa.db import models


def _lb():
    lb = models.LoadBalancer(id='lb', enabled=True,
                             topology=c.TOPOLOGY_ACTIVE_ACTIVE,
                             provisioning_status=c.PENDING_UPDATE)
    lb.vip = models.Vip(ip_address='198.51.100.10')
    keep = models.Listener(id='l1', protocol='HTTP', protocol_port=80,
                           provisioning_status=c.ACTIVE)
    gone = models.Listener(id='l2', protocol='HTTP', protocol_port=81,
                           provisioning_status=c.PENDING_DELETE)
    policy = models.L7Policy(id='p1', action='REJECT',
                             provisioning_status=c.ACTIVE)
    policy.rules = [
        models.L7Rule(id='r1', type='PATH', compare_type='EQUAL_TO',
                      value='/a', provisioning_status=c.ACTIVE),
        models.L7Rule(id='r2', type='PATH', compare_type='EQUAL_TO',
                      value='/b', provisioning_status=c.PENDING_DELETE)]
    keep.l7policies = [policy]
    lb.listeners = [keep, gone]
    pool = models.Pool(id='pool', protocol='HTTP', lb_algorithm='ROUND_ROBIN',
                       provisioning_status=c.ACTIVE)
    pool.members = [
        models.Member(id='m1', ip_address='203.0.113.5', protocol_port=80,
                      provisioning_status=c.PENDING_CREATE),
        models.Member(id='m2', ip_address='203.0.113.6', protocol_port=80,
                      provisioning_status=c.DELETED)]
    pool.health_monitor = models.HealthMonitor(
        id='hm', type='TCP', delay=1, timeout=1, max_retries=1,
        provisioning_status=c.PENDING_DELETE)
    lb.pools = [pool]
    return lb


def test_objects_on_their_way_out_are_left_out():
    config = lb_config.build(_lb())
    assert [lst['id'] for lst in config['listeners']] == ['l1']
    rules = config['listeners'][0]['l7policies'][0]['rules']
    assert [r['id'] for r in rules] == ['r1']
    # A member being created is in: the push is what makes it serve.
    assert [m['id'] for m in config['pools'][0]['members']] == ['m1']
    assert config['pools'][0]['health_monitor'] is None
    assert config['load_balancer']['vip_address'] == '198.51.100.10'


def test_config_is_json():
    config = lb_config.build(_lb())
    assert json.loads(json.dumps(config)) == config
    assert 'created_at' not in config['listeners'][0]
