"""An IPv6 VIP plugged without neighbour discovery: the amphora never
answers neighbour solicitations for it, yet accepts packets sent to it
at its MAC."""
import sys

import pytest

from tests.amphora import bed as bedmod


@pytest.fixture(scope='module')
def bed6():
    b = bedmod.Bed()
    try:
        b.amp = b.boot_amphora()
        port = b.network.plug_amphora(b.amp, b.front6)
        b.amp.vrrp_ip, b.amp.frontend_mac = port['ip'], port['mac']
        b.vip6 = b.v6net + '10'
        b.amp_driver.plug_vip(b.amp, {
            'ip_address': b.vip6, 'subnet_cidr': b.front6.cidr,
            'gateway': None, 'mtu': b.front6.mtu, 'mac': port['mac']},
            False)
        b.client_ns, b.client_port = b.namespace('cli6', b.front6)
        # A listener on every address of the amphora (VIP included).
        amp_ns = b.compute._namespace(b.amp.compute_id)
        b.spawn(amp_ns, [sys.executable, '-m', 'http.server', '--bind',
                         '::', '8000'], stdout=bedmod.subprocess.DEVNULL,
                stderr=bedmod.subprocess.DEVNULL)
        yield b
    finally:
        b.close()


def _ping(bed, address):
    """An HTTP exchange with address (the neighbour must resolve)."""
    return bedmod.sh('curl', '-s', '-o', '/dev/null', '-m', '2', '-g',
                     'http://[%s]:8000/' % address, ns=bed.client_ns,
                     check=False).returncode == 0


def test_no_neighbour_answer_for_the_vip(bed6):
    bed = bed6
    iface = bed.client_port['interface']
    # The amphora's own address is resolved and answers (sanity check).
    bedmod.wait_for(lambda: _ping(bed, bed.amp.vrrp_ip),
                    what='amphora front-end address')
    # The VIP: solicitations stay unanswered.
    assert not _ping(bed, bed.vip6)
    neigh = bedmod.sh('ip', '-6', 'neigh', 'show', bed.vip6, 'dev', iface,
                      ns=bed.client_ns).stdout
    assert bed.amp.frontend_mac not in neigh, neigh
    # Sent to the amphora's MAC (as a distributor does), it is accepted.
    bedmod.sh('ip', '-6', 'neigh', 'replace', bed.vip6, 'lladdr',
              bed.amp.frontend_mac, 'dev', iface, 'nud', 'permanent',
              ns=bed.client_ns)
    bedmod.wait_for(lambda: _ping(bed, bed.vip6), what='VIP reachable')
