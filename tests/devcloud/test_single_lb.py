"""A SINGLE load balancer end to end on the devcloud: octavia-aa-all with
the one config file of tools/devcloud/octavia-conf.py (compute Nova,
network Neutron, REST agents, health manager on the host's management
address), driven by the real `openstack loadbalancer` CLI through
Keystone; members are devcloud-test servers on tenant-net (each answers
its own uuid on port 80), the client the devcloud-client namespace on
the public network.  Cascade delete leaves no server, port or security
group of it in Nova and Neutron.
"""
import json
import time

import pytest

from tests.devcloud import controller as ctl_mod
from tests.devcloud import servers
from tests.devcloud.test_nova_boot import agent_image  # noqa: F401
from tests.devcloud.test_nova_boot import octavia  # noqa: F401

# named_only: it passed here (901 s on a loaded host) but adds ~15 min to
# the default run, whose devcloud stage must stay within CI's budget.
pytestmark = [pytest.mark.slow, pytest.mark.timeout(2400),
              pytest.mark.named_only]


@pytest.fixture(scope='module')
def controller(devcloud, agent_image):  # noqa: F811
    env, _image = devcloud
    ctl = ctl_mod.Controller(env).start()
    yield ctl
    ctl.stop()


def _member_servers(conn, env, count=2):
    made = [conn.compute.create_server(
        name='oaa-member-%d-%d' % (i, time.time()),
        image_id=env['DEVCLOUD_TEST_IMAGE_ID'],
        flavor_id=env['DEVCLOUD_TINY_FLAVOR_ID'],
        networks=[{'uuid': env['DEVCLOUD_TENANT_NET_ID']}],
        config_drive=True) for i in range(count)]
    return [conn.compute.wait_for_server(s, status='ACTIVE', wait=600,
                                         interval=3) for s in made]


def _ours(conn, lb_id, amp_ids):
    """Ports, servers and groups of the load balancer left in the cloud."""
    ids = [lb_id] + amp_ids
    left = ['port %s' % p.id for p in conn.network.ports()
            if any(i in (p.description or '') for i in ids)]
    left += ['server %s' % s.id for s in conn.compute.servers(
        all_projects=True) if any(i in s.name for i in amp_ids)]
    left += ['security group %s' % g.name for g in
             conn.network.security_groups() if lb_id in (g.name or '')]
    left += ['server group %s' % g.name for g in
             conn.compute.server_groups(all_projects=True)
             if lb_id in (g.name or '')]
    return left


def test_single_load_balancer(controller, cloud):
    conn, env = cloud
    ctl = controller
    figures = {'bench': 'devcloud_single_lb'}
    members = _member_servers(conn, env)
    lb = None
    amp_ids = []
    try:
        ips = [servers.ports_by_network(conn, m)[
            env['DEVCLOUD_TENANT_NET_ID']].fixed_ips[0]['ip_address']
            for m in members]
        ctl.cli('loadbalancer', 'flavorprofile', 'create', '--name',
                'single', '--provider', 'amphora', '--flavor-data',
                json.dumps({'loadbalancer_topology': 'SINGLE'}))
        ctl.cli('loadbalancer', 'flavor', 'create', '--name', 'single',
                '--flavorprofile', 'single', '--enable')
        t0 = time.monotonic()
        lb = ctl.cli_json('loadbalancer', 'create', '--name', 'single1',
                          '--flavor', 'single', '--vip-subnet-id',
                          'public-subnet', '--wait', timeout=1800)
        figures['create_to_active_s'] = round(time.monotonic() - t0, 1)
        assert lb['provisioning_status'] == 'ACTIVE', (lb, ctl.tail())
        ctl.http_service('single1', ips)
        amps = ctl.cli_json('loadbalancer', 'amphora', 'list',
                            '--loadbalancer', lb['id'])
        amp_ids = [a['id'] for a in amps]
        url = 'http://%s/' % lb['vip_address']
        answers = servers.wait('members to answer through the VIP',
                               lambda: ctl_mod.client_get(env, url),
                               timeout=300, interval=2)
        seen = {answers}
        for _ in range(20):
            seen.add(ctl_mod.client_get(env, url))
        assert {m.id for m in members} <= seen, seen
    finally:
        if lb is not None:
            ctl.cli('loadbalancer', 'delete', '--cascade', '--wait',
                    lb['id'], ok=False)
        for m in members:
            servers.delete(conn, m)
    if lb is not None:
        assert servers.wait('nothing of the load balancer left',
                            lambda: not _ours(conn, lb['id'], amp_ids),
                            timeout=300), _ours(conn, lb['id'], amp_ids)
    print(json.dumps(figures))
    servers.FIGURES.update(single_create_to_active_s=figures.get(
        'create_to_active_s'))
