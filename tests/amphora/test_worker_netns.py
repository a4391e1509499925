"""The real controller worker with the netns compute and network drivers
and the REST amphora driver: a SINGLE load balancer with a listener, a
pool and two members is built, serves through its VIP, and is deleted
without leaving a namespace behind."""
import datetime
import os

import pytest

from octavia_aa.common import constants as c
from octavia_aa.common import drivers
from octavia_aa.controller.worker import controller_worker
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.network.drivers import netns_links as links
from tests.amphora import bed as bedmod


@pytest.fixture(scope='module')
def bed():
    b = bedmod.Bed()
    try:
        b._set('persistence_connection', 'sqlite:///%s' % os.path.join(
            b.tmp, 'taskflow.sqlite'), 'task_flow')
        for kind, name in (('compute', 'compute_netns_driver'),
                           ('network', 'network_netns_driver'),
                           ('amphora', 'amphora_rest_driver')):
            b._set(kind + '_driver', name, 'controller_worker')
        drivers.reset()
        # The worker's drivers are its own instances: use them for the
        # test's own namespaces too, and stop their supervisor at the end.
        b.compute = drivers.get('compute')
        b.network = drivers.get('network')
        b.amp_driver = drivers.get('amphora')
        b.member_servers()
        b.client_ns, b.client_port = b.namespace('cli', b.front)
        yield b
    finally:
        b.close()
        drivers.reset()


def _make_lb(bed):
    vip = bed.network.allocate_vip('pending', bed.front, bedmod.VIP)
    with db_api.session_scope() as s:
        lb = models.LoadBalancer(project_id='p', name='lb',
                                 topology=c.TOPOLOGY_SINGLE,
                                 provider='amphora',
                                 provisioning_status=c.PENDING_CREATE,
                                 operating_status=c.OFFLINE)
        s.add(lb)
        s.flush()
        s.add(models.Vip(load_balancer_id=lb.id,
                         ip_address=vip['ip_address'],
                         port_id=vip['port_id'], subnet_id=bed.front.id,
                         network_id=bed.front.network_id))
        pool = models.Pool(project_id='p', protocol='HTTP',
                           lb_algorithm='ROUND_ROBIN', load_balancer_id=lb.id,
                           provisioning_status=c.ACTIVE)
        s.add(pool)
        s.flush()
        for ip in bedmod.MEMBER_IPS:
            s.add(models.Member(project_id='p', pool_id=pool.id,
                                ip_address=ip, protocol_port=8080,
                                provisioning_status=c.ACTIVE))
        s.add(models.Listener(project_id='p', protocol='HTTP',
                              protocol_port=80, load_balancer_id=lb.id,
                              default_pool_id=pool.id,
                              provisioning_status=c.ACTIVE))
        return lb.id


def test_worker_builds_serves_and_deletes(bed):
    worker = controller_worker.ControllerWorker()
    lb_id = _make_lb(bed)
    worker.create_load_balancer(lb_id)
    with db_api.session_scope() as s:
        lb = s.get(models.LoadBalancer, lb_id)
        assert lb.provisioning_status == c.ACTIVE, lb.fault
        (amp,) = lb.amphorae
        compute_id, amp_id = amp.compute_id, amp.id
        # The end of the server certificate issued at build (30 days).
        left = amp.cert_expiration - datetime.datetime.now(
            datetime.timezone.utc).replace(tzinfo=None)
        assert datetime.timedelta(days=29) < left <= datetime.timedelta(
            days=30)
        bed.machines.append(bedmod.types.SimpleNamespace(
            id=amp.id, compute_id=compute_id))
    # Member network: not plugged by the flows yet, so the test does it.
    amp_obj = bedmod.types.SimpleNamespace(
        id=amp_id, compute_id=compute_id, lb_network_ip=amp.lb_network_ip)
    bed.plug_members(amp_obj)
    seen = set()
    for _ in range(8):
        out = bedmod.wait_for(lambda: bedmod.sh(
            'curl', '-s', '-m', '5', 'http://%s/' % bedmod.VIP,
            ns=bed.client_ns, check=False).stdout, what='VIP answer')
        seen.add(out.strip())
    assert seen == {'member1', 'member2'}
    worker.delete_load_balancer(lb_id)
    assert not links.namespace_exists(bed.compute._namespace(compute_id))
