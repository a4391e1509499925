"""The netns compute and network drivers: idempotent build and delete,
clean-up after a half-done build, names within Linux limits."""
import os
import shutil
import subprocess
import threading
import uuid

import pytest
import sqlalchemy as sa

from octavia_aa.common import config
from octavia_aa.common import procs
from octavia_aa.compute.drivers import netns as compute_netns
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.distributor.drivers import rest as dist_rest
from octavia_aa.network.drivers import netns_links as links
from tests.amphora import bed as bedmod


@pytest.fixture(scope='module')
def plain_bed():
    b = bedmod.Bed()
    try:
        yield b
    finally:
        b.close()


def _ipam_rows(owner):
    with db_api.session_scope() as s:
        return list(s.scalars(sa.select(models.IpAllocation.ip_address)
                              .where(models.IpAllocation.owner == owner)))


def _gone(bed, compute_id, pids):
    ns = bed.compute._namespace(compute_id)
    assert not links.namespace_exists(ns)
    assert not os.path.exists(bed.compute._dir(compute_id))
    assert not [p for p in pids if procs.alive(p)]
    assert _ipam_rows('mgmt:' + compute_id) == []
    assert bed.compute.status(compute_id) == 'DELETED'


def test_build_twice_then_delete_twice(plain_bed):
    bed = plain_bed
    amp = bed.boot_amphora()
    pid = bed.compute._agent_pid(amp.compute_id)
    # A zone changes nothing on one host (and is accepted).
    assert bed.build_machine('again', 'amphora', amp.id, availability_zone={
        'compute_zone': 'nova-1'}) == amp.compute_id
    assert bed.compute._agent_pid(amp.compute_id) == pid
    assert bed.compute.status(amp.compute_id) == 'ACTIVE'
    ns = bed.compute._namespace(amp.compute_id)
    pids = compute_pids = bedmod.wait_for(
        lambda: len(bed.compute_pids(ns)) >= 2 and bed.compute_pids(ns),
        what='agent master and worker')
    assert pid in compute_pids
    bed.delete_machine(amp.compute_id)
    _gone(bed, amp.compute_id, pids)
    bed.delete_machine(amp.compute_id)         # idempotent
    bed.machines.remove(amp)


def test_delete_cleans_up_a_build_that_crashed_half_way(plain_bed):
    bed = plain_bed
    compute_id = str(uuid.uuid4())
    ns = bed.compute._namespace(compute_id)
    # What a build leaves when it dies after the namespace and the
    # management port, before meta.json: plus a stray process inside.
    links.ensure_namespace(ns)
    bed.network.plug_port(ns, bed.mgmt, 'mgmt:' + compute_id)
    os.makedirs(bed.compute._dir(compute_id))
    stray = subprocess.Popen(['ip', 'netns', 'exec', ns, 'sleep', '600'])
    try:
        bedmod.wait_for(lambda: stray.pid in bed.compute_pids(ns),
                        what='stray process in the namespace')
        assert bed.compute.status(compute_id) == 'ERROR'
        bed.delete_machine(compute_id)
        assert stray.wait(timeout=30) is not None
        _gone(bed, compute_id, [stray.pid])
    finally:
        if stray.poll() is None:
            stray.kill()
            stray.wait()


def test_a_build_that_fails_leaves_nothing(plain_bed):
    bed = plain_bed
    compute_id = str(uuid.uuid4())
    # No CA to issue the agent's certificate from: the build fails after
    # the management port exists.
    config.CONF.set_override('ca_dir', os.path.join(bed.tmp, 'no-ca'),
                             'agent_boot')
    try:
        with pytest.raises(FileNotFoundError):
            bed.build_machine('broken', 'amphora', compute_id)
    finally:
        config.CONF.clear_override('ca_dir', 'agent_boot')
    _gone(bed, compute_id, [])


def test_distributor_machine_runs_the_distributor_agent(plain_bed):
    bed = plain_bed
    dist_id = str(uuid.uuid4())
    compute_id = bed.build_machine('distributor-' + dist_id, 'distributor',
                                   dist_id)
    try:
        ip = bed.compute.wait_active(compute_id)['lb_network_ip']
        driver = dist_rest.RestDistributorDriver()   # registers options
        bed._set('client_cert', bed.client_pem, 'distributor_agent_client')
        bed._set('server_ca', os.path.join(bed.ca_dir, 'server_ca.pem'),
                 'distributor_agent_client')
        machine = type('D', (), {'id': dist_id, 'lb_network_ip': ip})
        bedmod.wait_for(lambda: driver.get_info(machine), what='agent')
    finally:
        bed.delete_machine(compute_id)
    assert bed.compute.status(compute_id) == 'DELETED'


def test_names_fit_linux_interface_limits():
    port = str(uuid.uuid4())
    for name in (links.bridge_name('abcd', port),
                 links.veth_name('abcd', port)):
        assert len(name) <= 15
    assert links.veth_name('abcd', port) == links.veth_name('abcd', port)
    assert links.veth_name('abcd', port) != links.veth_name('abce', port)
    mac = links.mac_for('abcd', port)
    assert int(mac.split(':')[0], 16) & 0b11 == 0b10  # local unicast


def test_distributor_port_on_the_vip_network(plain_bed):
    bed = plain_bed
    dist = type('D', (), {'id': str(uuid.uuid4()),
                          'compute_id': str(uuid.uuid4())})
    ns = bed.compute._namespace(dist.compute_id)
    links.ensure_namespace(ns)
    try:
        port = bed.network.plug_distributor(dist, bed.front)
        assert bed.network.plug_distributor(dist, bed.front) == port
        out = bedmod.sh('ip', '-br', 'link', 'show', port['interface'],
                        ns=ns).stdout
        assert port['mac'] in out
        assert 'mtu 1450' in bedmod.sh('ip', 'link', 'show',
                                       port['interface'], ns=ns).stdout
        bed.network.unplug_distributor(dist)
        assert _ipam_rows('distributor:%s:%s' % (dist.id, bed.front.id)) \
            == []
    finally:
        links.remove_namespace(ns)


def test_concurrent_plugs_get_distinct_addresses(plain_bed):
    import concurrent.futures
    bed = plain_bed
    ns, _ = bed.namespace('many', bed.members)
    owners = ['test:%s:many:%d' % (bed.prefix, n) for n in range(8)]
    bed.owners.extend(owners)       # removed with the bed

    def plug(owner):
        return bed.network.plug_port(ns, bed.members, owner)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        ports = list(pool.map(plug, owners))
    ips = [p['ip'] for p in ports]
    assert len(set(ips)) == 8
    rows = [ip for owner in owners for ip in _ipam_rows(owner)]
    assert sorted(rows) == sorted(ips)
    links_in_ns = bedmod.sh('ip', '-br', 'link', ns=ns).stdout
    assert all(p['interface'] in links_in_ns for p in ports)
    # Plugging an owner again (a flow resumed after a crash) gives it
    # the same port and address, not a second one.
    assert plug(owners[0]) == ports[0]
    assert _ipam_rows(owners[0]) == [ips[0]]


def test_bridge_keeps_its_mac_when_a_lower_port_joins(plain_bed):
    bridge = links.bridge_name(plain_bed.prefix, 'mac-test')
    host, peer = plain_bed.prefix + 'mlo', plain_bed.prefix + 'mlp'
    try:
        links.ensure_bridge(bridge, 1500)
        before = open('/sys/class/net/%s/address' % bridge).read().strip()
        assert before == links.mac_for('bridge', bridge)
        # A bridge with no MAC of its own would take this port's.
        bedmod.sh('ip', 'link', 'add', host, 'address', '02:00:00:00:00:01',
                  'type', 'veth', 'peer', 'name', peer)
        bedmod.sh('ip', 'link', 'set', host, 'master', bridge, 'up')
        links.ensure_bridge(bridge, 1500)           # idempotent, same MAC
        after = open('/sys/class/net/%s/address' % bridge).read().strip()
        assert after == before
    finally:
        links.remove_link(host)
        links.remove_link(bridge)


def test_supervisor_of_another_process_waits_for_a_build(plain_bed):
    """A second driver (another worker on the host) must not start an agent
    in a machine the first one is half-way through building."""
    first = plain_bed.compute
    second = compute_netns.NetnsComputeDriver()
    compute_id = str(uuid.uuid4())
    ns = first._namespace(compute_id)
    found = []
    checker = threading.Thread(
        target=lambda: found.append(second.check_agents()))
    try:
        with first._machine_locked(compute_id):
            # What _build has done before it starts the agent.
            links.ensure_namespace(ns)
            os.makedirs(first._dir(compute_id))
            with open(os.path.join(first._dir(compute_id),
                                   'meta.json'), 'w') as f:
                f.write('{"namespace": "%s", "kind": "amphora", '
                        '"config_file": "/nonexistent"}' % ns)
            checker.start()
            checker.join(0.5)
            assert checker.is_alive(), 'check_agents did not wait'
            # The build fails and is cleaned up while still holding it.
            open(os.path.join(first._dir(compute_id), 'deleting'),
                 'w').close()
        checker.join(10)
        assert found == [[]]
    finally:
        checker.join(10)
        links.remove_namespace(ns)
        shutil.rmtree(first._dir(compute_id), ignore_errors=True)


def _other_stripe(compute_id):
    stripe = compute_netns.NetnsComputeDriver._stripe
    while True:
        other = str(uuid.uuid4())
        if stripe(other) != stripe(compute_id):
            return other


def test_machines_are_locked_apart(plain_bed):
    """A machine being built (its lock held, here by another driver as
    another worker process would) holds up neither another machine's
    build nor its supervision: the machines of a cluster are built side
    by side.  The same machine still waits."""
    first = plain_bed.compute
    second = compute_netns.NetnsComputeDriver()
    busy = str(uuid.uuid4())
    other = _other_stripe(busy)
    entered = []

    def take(compute_id):
        with second._machine_locked(compute_id):
            entered.append(compute_id)
    with first._machine_locked(busy):
        apart = threading.Thread(target=take, args=(other,))
        apart.start()
        apart.join(5)
        assert entered == [other], 'another machine waited for this one'
        same = threading.Thread(target=take, args=(busy,))
        same.start()
        same.join(0.5)
        assert same.is_alive(), 'the same machine did not wait'
    same.join(5)
    assert entered == [other, busy]
