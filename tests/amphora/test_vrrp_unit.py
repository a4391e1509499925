"""The amphora agent's keepalived setting: validation (400 naming the
field) and the rendered configuration, checked by keepalived itself."""
import os
import shutil
import subprocess
import types

import pytest

from octavia_aa.amphorae.backends.agent import errors
from octavia_aa.amphorae.backends.agent import vrrp

BODY = {'vip': '198.51.100.10', 'prefixlen': 24,
        'mac_address': 'FA:16:3E:00:00:01', 'priority': 200,
        'unicast_src_ip': '198.51.100.101',
        'unicast_peers': ['198.51.100.102'], 'virtual_router_id': 1,
        'advert_int': 0.1, 'check_interval': 1.0, 'check_fall': 2,
        'check_rise': 2, 'garp_refresh_interval': 5}


def test_validate_normalises():
    req = vrrp.validate(dict(BODY))
    assert req['mac_address'] == 'fa:16:3e:00:00:01'
    assert req['advert_int'] == 0.1 and req['priority'] == 200


@pytest.mark.parametrize('field,value', [
    ('vip', 'nope'), ('priority', 255), ('priority', 'high'),
    ('unicast_peers', []), ('unicast_peers', ['1.2.3']),
    ('advert_int', 0.001), ('virtual_router_id', 0),
    ('unicast_src_ip', None)])
def test_validate_names_the_field(field, value):
    with pytest.raises(errors.BadRequest, match=field):
        vrrp.validate(dict(BODY, **{field: value}))


def test_unknown_field_refused():
    with pytest.raises(errors.BadRequest, match='bogus'):
        vrrp.validate(dict(BODY, bogus=1))


def _supervisor(tmp_path, dev='eth1'):
    req = vrrp.validate(dict(BODY))
    opts = types.SimpleNamespace(
        run_dir=str(tmp_path / 'vrrp'), keepalived='keepalived',
        supervise_interval=0.1, interface=dev,
        **{k: v for k, v in req.items()
           if k not in ('vip', 'prefixlen', 'mac_address')})
    return vrrp.AmphoraSupervisor(opts, 'amp-1', str(tmp_path / 'lb'),
                                  [(req['vip'], dev)])


def test_render(tmp_path):
    text = _supervisor(tmp_path).render()
    # What upstream's amphora renders, with VRRPv3 sub-second adverts.
    for line in ('vrrp_instance oaa_amphora {', 'state BACKUP', 'nopreempt',
                 'priority 200', 'advert_int 0.1', 'vrrp_version 3',
                 'unicast_src_ip 198.51.100.101', '198.51.100.102',
                 'vrrp_script oaa_check {', 'track_script {',
                 'garp_master_refresh 5', '198.51.100.10/32 dev eth1'):
        assert line in text, (line, text)


@pytest.mark.skipif(not shutil.which('keepalived'), reason='no keepalived')
def test_keepalived_accepts_the_configuration(tmp_path):
    # keepalived checks that the interface exists (and is not lo): the
    # host's first physical one (others' test bridges come and go).
    devs = sorted(d for d in os.listdir('/sys/class/net')
                  if os.path.exists('/sys/class/net/%s/device' % d))
    if not devs:
        pytest.skip('no physical interface to name')
    sup = _supervisor(tmp_path, dev=devs[0])
    sup._write_config()
    log = tmp_path / 'test.log'
    r = subprocess.run(['keepalived', '--config-test=%s' % log, '-f',
                        sup.conf_path], capture_output=True, text=True,
                       timeout=30)
    out = r.stdout + r.stderr + (log.read_text() if log.exists() else '')
    assert r.returncode == 0, out
    assert 'unknown keyword' not in out.lower(), out


def test_check_script_follows_haproxy(tmp_path):
    sup = _supervisor(tmp_path)
    sup._write_config()
    lb = tmp_path / 'lb' / 'lb1'
    lb.mkdir(parents=True)

    def check():
        return subprocess.run([sup.check_path]).returncode
    assert check() == 0            # nothing configured yet: healthy
    (lb / 'haproxy.cfg').write_text('global\n')
    assert check() == 1            # configured, no HAProxy
    proc = subprocess.Popen(['sleep', '30'])
    try:
        (lb / 'haproxy.pid').write_text('%d\n' % proc.pid)
        assert check() == 0
    finally:
        proc.kill()
        proc.wait()
    assert check() == 1            # its HAProxy died


def test_missing_keepalived_is_a_clear_error(tmp_path, monkeypatch):
    # Not on the host's interfaces: the supervisor clears the VIP first.
    monkeypatch.setattr(vrrp._Addresses, 'remove_vip',
                        staticmethod(lambda dev, vip: None))
    agent = types.SimpleNamespace(
        opts=types.SimpleNamespace(
            state_dir=str(tmp_path), keepalived=str(tmp_path / 'nope'),
            vrrp_supervise_interval=0.1, amphora_id='amp-1'),
        registry=types.SimpleNamespace(base=str(tmp_path / 'lb')),
        heartbeat=None,
        plug=lambda req: {'interfaces': {'eth1': {
            'mac': 'fa:16:3e:00:00:01'}}})
    v = vrrp.Vrrp(agent)
    with pytest.raises(errors.ApiError, match='keepalived could not start'):
        v.configure(dict(BODY))
    assert v.details() == {'state': 'IDLE'}
    # An unknown MAC names the field.
    with pytest.raises(errors.BadRequest, match='mac_address'):
        v.configure(dict(BODY, mac_address='fa:16:3e:00:00:99'))
