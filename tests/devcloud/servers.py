"""Nova servers of the devcloud tests: waiting, what a server holds on the
host and in the cloud (libvirt domain, Neutron ports and their taps,
Placement allocation, instance directory), and that a deleted server
holds none of it any more."""
import pathlib
import subprocess
import time

import openstack
import openstack.config

# What tools/build-images.sh builds and the tests upload to Glance.
IMAGE_NAME = 'octavia-aa-agent'


def connect(env, cloud):
    """A connection to the devcloud as ``cloud`` of its clouds.yaml
    (devcloud-admin, or devcloud-octavia: octavia-aa's service user)."""
    config = openstack.config.OpenStackConfig(
        config_files=[env['OS_CLIENT_CONFIG_FILE']])
    return openstack.connection.Connection(
        config=config.get_one(cloud=cloud))


def wait(what, check, timeout, interval=3, ok=False):
    """check()'s first true value; AssertionError after ``timeout`` s
    (ok: the last value instead)."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            if ok:
                return value
            raise AssertionError('timed out after %ss waiting for %s'
                                 % (timeout, what))
        time.sleep(interval)


def sh(*cmd):
    return subprocess.run(cmd, check=True, capture_output=True,
                          text=True).stdout


def domains(all_=True):
    cmd = ['virsh', '-c', 'qemu:///system', 'list', '--name']
    return sh(*(cmd + ['--all'] if all_ else cmd)).split()


def allocations(conn, server_id):
    resp = conn.placement.get('/allocations/%s' % server_id,
                              microversion='1.28')
    assert resp.status_code == 200, resp.text
    return resp.json()['allocations']


def ports_by_network(conn, server):
    """{network id: port} of the server (one port per network here)."""
    ports = list(conn.network.ports(device_id=server.id))
    return {p.network_id: p for p in ports}


def console_with(conn, server, marker):
    """The server's console log once it holds ``marker``, else None."""
    text = conn.compute.get_server_console_output(server)['output']
    return text if marker in text else None


def delete(conn, server):
    conn.compute.delete_server(server, ignore_missing=True)
    conn.compute.wait_for_delete(server, wait=300, interval=2)


def delete_and_check_gone(conn, env, server, instance_name, ports):
    """Delete ``server`` (a no-op if it is gone) and assert nothing of it
    is left: domain, ports, taps on br-int, allocation, instance files.
    Returns the seconds from delete to all gone."""
    t0 = time.monotonic()
    delete(conn, server)
    if instance_name:
        assert instance_name not in domains()
    wait('its ports to go',
         lambda: not list(conn.network.ports(device_id=server.id)),
         timeout=60, interval=1)
    bridge_ports = sh('ovs-vsctl', 'list-ports', 'br-int').split()
    for port in ports:
        assert 'tap' + port.id[:11] not in bridge_ports
    assert allocations(conn, server.id) == {}
    instance_dir = pathlib.Path(env['DEVCLOUD_HOME'], 'data', 'nova',
                                'instances', server.id)
    assert not instance_dir.exists()
    return time.monotonic() - t0


# Figures measured by this run's devcloud tests (conftest.py prints them,
# with the stage's own, in the terminal summary).
FIGURES = {}
