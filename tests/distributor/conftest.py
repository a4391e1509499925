import shutil

import pytest

from tests.distributor import lab as lab_mod


def _require(binary):
    # Fail loudly: a missing tool must never turn into a silent skip.
    if shutil.which(binary) is None:
        raise RuntimeError('%s is required by the distributor tests '
                           '(apt-get install nftables keepalived iproute2)'
                           % binary)


@pytest.fixture
def lab():
    for b in ('ip', 'nft', 'arping'):
        _require(b)
    lab = lab_mod.Lab()
    try:
        yield lab
    finally:
        lab.close()


@pytest.fixture
def pki(lab):
    return lab_mod.Pki(lab.tmp)


class Bed:
    """client + controller namespaces, one distributor, three amphorae."""

    def __init__(self, lab, pki, amphorae=3, vrrp=False, extra=None):
        self.lab = lab
        self.client, _ = lab.node('cli', [('eth0', 'fe', '198.51.100.2/24')])
        self.ctl, _ = lab.node('ctl', [('eth0', 'mg', '192.0.2.1/24')])
        self.amps = [lab.amphora('amp%d' % (i + 1), '198.51.100.%d' % (11 + i))
                     for i in range(amphorae)]
        self.dist_ns, self.dist_macs = lab.node(
            'd1', [('eth0', 'fe', '198.51.100.3/24'),
                   ('eth1', 'mg', '192.0.2.3/24')])
        self.agent = lab_mod.AgentProc(lab, pki, self.dist_ns, '192.0.2.3',
                                       extra=extra, ctl_ns=self.ctl)
        self.lb = 'lb-' + lab.prefix

    def plug(self, agent=None, **kw):
        body = dict({'vip_address': lab_mod.VIP, 'affinity': 'SOURCE_IP_PORT',
                     'mac_address': (agent or self.agent) is self.agent
                     and self.dist_macs['eth0'] or None}, **kw)
        body = {k: v for k, v in body.items() if v is not None}
        return (agent or self.agent).ok(
            'PUT', '/v1/loadbalancers/%s/vip' % self.lb, body)

    def register(self, amps, agent=None, **kw):
        body = dict({'amphorae': [
            {'id': a['id'], 'mac': a['mac'], 'ip': a['ip'],
             'role': a.get('role', 'ACTIVE'), 'position': a.get('position')}
            for a in amps]}, **kw)
        return (agent or self.agent).ok(
            'PUT', '/v1/loadbalancers/%s/amphorae' % self.lb, body)


@pytest.fixture
def bed(lab, pki):
    b = Bed(lab, pki)
    b.agent.start()
    return b


def vrrp_opts(priority, advert_int='0.1'):
    # Tests use 0.1 s (not the 0.05 s default): a 2-core CI box under load
    # must not see false takeovers.
    opts = {'enabled': 'true', 'priority': str(priority), 'interface': 'eth0'}
    if advert_int:
        opts['advert_int'] = advert_int
    return {'distributor_vrrp': opts}


def _merge(base, extra):
    out = {k: dict(v) for k, v in base.items()}
    for section, values in (extra or {}).items():
        out.setdefault(section, {}).update(values)
    return out


class Pair(Bed):
    """Two distributors holding the VIP with keepalived (d1 preferred)."""

    def __init__(self, lab, pki, extra=None):
        super().__init__(lab, pki, extra=_merge(vrrp_opts(150), extra))
        self.d2_ns, self.d2_macs = lab.node(
            'd2', [('eth0', 'fe', '198.51.100.4/24'),
                   ('eth1', 'mg', '192.0.2.4/24')])
        self.agent2 = lab_mod.AgentProc(lab, pki, self.d2_ns, '192.0.2.4',
                                        extra=_merge(vrrp_opts(100), extra),
                                        ctl_ns=self.ctl)

    def start(self, amphorae=None):
        self.agent.start()
        lab_mod.wait_for(lambda: self.vrrp_state(self.agent) == 'IDLE',
                         what='d1 idle')
        self.agent2.start()
        digests = set()
        for agent in (self.agent, self.agent2):
            self.plug(agent=agent, mac_address=None)
            digests.add(self.register(
                self.amps if amphorae is None else amphorae,
                agent=agent)['digest'])
        # Same registrations, byte-identical tables on both.
        assert len(digests) == 1
        lab_mod.wait_for(lambda: self.vrrp_state(self.agent) == 'MASTER',
                         what='d1 master')
        lab_mod.wait_for(lambda: self.vrrp_state(self.agent2) == 'BACKUP',
                         what='d2 backup')
        return self

    @staticmethod
    def vrrp_state(agent):
        return agent.ok('GET', '/v1/details')['vrrp']['state']


@pytest.fixture
def pair(lab, pki):
    _require('keepalived')
    _require('arping')
    return Pair(lab, pki).start()
