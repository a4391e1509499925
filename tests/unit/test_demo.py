"""The parts of octavia-aa-demo that need no namespace: the addresses it
picks, its flavor, its options, and its member server and client scripts
(run here on 127.0.0.1); tests/scenario/test_demo.py runs it for real."""
import json
import socket
import subprocess
import sys
import time

import pytest

from octavia_aa.cmd import demo
from octavia_aa.common import flavors
from octavia_aa.demo import common
from octavia_aa.demo import scripts
from octavia_aa.network import subnets


def subnet(cidr='203.0.113.0/24', gateway='203.0.113.1',
           start='203.0.113.10', end='203.0.113.250'):
    return subnets.Subnet(id='s', name='private-subnet', network_id='n',
                          network_name='private', cidr=cidr,
                          gateway_ip=gateway, allocation_start=start,
                          allocation_end=end, mtu=1500)


def test_addresses_below_the_allocation_range():
    assert common.Plan._free_addresses(subnet(), 3) == [
        '203.0.113.5', '203.0.113.6', '203.0.113.7']
    assert common.Plan._free_addresses(
        subnet(start='203.0.113.100'), 1) == ['203.0.113.5']


def test_addresses_skip_the_gateway_and_fall_back():
    # Only .2-.5 lie below the range: .5, then from .2 up (not .3, the
    # gateway).
    got = common.Plan._free_addresses(
        subnet(gateway='203.0.113.3', start='203.0.113.6'), 3)
    assert got == ['203.0.113.2', '203.0.113.4', '203.0.113.5']
    # No room below: above the range then.
    got = common.Plan._free_addresses(
        subnet(start='203.0.113.2', end='203.0.113.250'), 2)
    assert got == ['203.0.113.251', '203.0.113.252']
    with pytest.raises(common.DemoError):
        common.Plan._free_addresses(
            subnet(start='203.0.113.2', end='203.0.113.254'), 1)


def test_flavor_is_valid_active_active():
    data = flavors.parse_flavor_data(json.dumps(common.FLAVOR_DATA))
    settings = flavors.settings(data)
    assert settings.topology == 'ACTIVE_ACTIVE'
    assert (settings.desired_size, settings.min_size) == (3, 2)
    assert settings.affinity == 'SOURCE_IP_PORT'


def test_options():
    args = demo.parse_args([])
    assert (args.cleanup, args.traffic, args.kill_amphora) == (
        False, False, None)
    assert args.requests == 60
    assert demo.parse_args(['--kill-amphora']).kill_amphora == ''
    assert demo.parse_args(['--kill-amphora', 'abc']).kill_amphora == 'abc'
    with pytest.raises(SystemExit):
        demo.parse_args(['--cleanup', '--traffic'])


def test_member_server_and_client_scripts():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        [sys.executable, '-c', scripts.MEMBER_SERVER, '127.0.0.1', str(port),
         'member9'], stdin=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                socket.create_connection(('127.0.0.1', port), 0.2).close()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.05)
        out = subprocess.run(
            [sys.executable, '-c', scripts.CLIENT, '127.0.0.1', str(port), '5',
             '5'], capture_output=True, text=True, timeout=60, check=True)
        results = json.loads(out.stdout)
        assert results == [{'status': 200, 'member': 'member9',
                            'peer': '127.0.0.1'}] * 5
    finally:
        server.kill()
        server.wait()


def test_client_gives_up_after_warmup():
    with socket.socket() as s:
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]      # nobody listens there
    out = subprocess.run(
        [sys.executable, '-c', scripts.CLIENT, '127.0.0.1', str(port), '5',
         '0.5'], capture_output=True, text=True, timeout=60, check=True)
    assert 'ConnectionRefusedError' in json.loads(out.stdout)['warmup']
