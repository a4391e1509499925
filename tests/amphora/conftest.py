"""One netns amphora per test module (booting is the slow part), with its
VIP plugged ARP-off, a member namespace with two servers and a client
namespace on the front-end bridge."""
import shutil
import socket

import pytest

from tests.amphora import bed as bedmod


@pytest.fixture(scope='module')
def heartbeat_socket():
    sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    sock.bind(('0.0.0.0', 0))
    yield sock
    sock.close()


@pytest.fixture(scope='module')
def bed(heartbeat_socket):
    assert shutil.which('haproxy'), 'haproxy must be installed'
    b = bedmod.Bed(heartbeat_port=None)
    b.hb_port = heartbeat_socket.getsockname()[1]
    try:
        b.amp = b.boot_amphora()
        b.plug_frontend(b.amp, arp=False)
        b.plug_members(b.amp)
        b.member_ns = b.member_servers()
        b.client_ns, b.client_port = b.namespace('cli', b.front)
        yield b
    finally:
        b.close()
