"""Two amphorae of an active-active cluster in one peer group: a
persistence entry made on one is synchronised to the other."""
import glob

import pytest

from octavia_aa.amphorae.backends.agent import haproxy
from octavia_aa.compute.drivers import netns_agent
from tests.amphora import bed as bedmod
from tests.amphora import samples


@pytest.fixture(scope='module')
def pair():
    b = bedmod.Bed()
    try:
        lb_id = samples.LB
        b.amps = [b.boot_amphora(lb_id) for _ in range(2)]
        for amp in b.amps:
            b.plug_frontend(amp, arp=False)
            b.plug_members(amp)
        b.member_servers()
        b.client_ns, b.client_port = b.namespace('cli', b.front)
        yield b
    finally:
        b.close()


def _config():
    members = [samples.member(i + 1, ip)
               for i, ip in enumerate(bedmod.MEMBER_IPS)]
    cfg = samples.config(
        [samples.listener(1, pool=samples.P1, peer_port=1025)],
        [samples.pool(1, members=members, algorithm='SOURCE_IP',
                      sp={'type': 'SOURCE_IP'})])
    cfg['load_balancer']['topology'] = 'ACTIVE_ACTIVE'
    return cfg


def _table(amp):
    socks = glob.glob('%s/*/stats.sock' % netns_agent.run_dir(amp.id))
    assert len(socks) == 1, socks
    return haproxy.query(socks[0], 'show table %s' % samples.P1)


def test_stick_table_entry_reaches_the_peer(pair):
    bed = pair
    peers = [(a.id, a.lb_network_ip) for a in bed.amps]
    for amp in bed.amps:
        bed.amp_driver.update_config(amp, _config(), peers=peers)
    client_ip = bed.client_port['ip']
    assert client_ip not in _table(bed.amps[1])
    # The flow goes to the first amphora only (as a distributor sends it).
    bedmod.sh('ip', 'neigh', 'replace', bedmod.VIP, 'lladdr',
              bed.amps[0].frontend_mac, 'dev', bed.client_port['interface'],
              'nud', 'permanent', ns=bed.client_ns)
    out = bedmod.sh('curl', '-s', '-m', '5', 'http://%s/' % bedmod.VIP,
                    ns=bed.client_ns).stdout
    assert out.startswith('member')
    assert client_ip in _table(bed.amps[0])
    bedmod.wait_for(lambda: client_ip in _table(bed.amps[1]),
                    what='stick-table entry synchronised to the peer')
