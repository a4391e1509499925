"""The config drive the compute drivers make, read back as the image's
octavia-aa-boot-config reads it."""
import json
import os
import stat
import uuid

from cryptography import x509
import pytest

from octavia_aa.certificates import local as certs
from octavia_aa.common import boot_config
from octavia_aa.compute import boot_files
from octavia_aa.compute import config_drive


class Health:
    controller_ip_port_list = ['192.0.2.65:5555', '192.0.2.66:5555']
    heartbeat_interval = 2.0
    heartbeat_key = 'hb-secret'


@pytest.fixture
def ca(tmp_path):
    ca_dir = str(tmp_path / 'ca')
    certs.init_cas(ca_dir)
    return ca_dir


def _files(ca, kind, entity_id, **kw):
    return boot_files.machine_files(
        kind, entity_id, boot_files.IMAGE_LAYOUTS[kind], ca, 9443,
        boot_files.heartbeat_options(Health), **kw)


def _extract(tree, root):
    for path, data in tree.items():
        dest = os.path.join(root, path)
        os.makedirs(os.path.dirname(dest), exist_ok=True)
        with open(dest, 'wb') as f:
            f.write(data)


NETWORK_DATA = {
    'links': [{'id': 'tap0', 'type': 'phy', 'mtu': 1450,
               'ethernet_mac_address': '52:54:00:12:34:56'},
              {'id': 'tap1', 'type': 'phy',
               'ethernet_mac_address': '52:54:00:12:34:57'}],
    'networks': [{'id': 'n0', 'link': 'tap0', 'type': 'ipv4',
                  'ip_address': '192.0.2.70', 'netmask': '255.255.255.240',
                  'routes': [{'network': '0.0.0.0', 'netmask': '0.0.0.0',
                              'gateway': '192.0.2.65'}]},
                 {'id': 'n1', 'link': 'tap1', 'type': 'ipv4_dhcp'}],
    'services': [{'type': 'dns', 'address': '192.0.2.65'}]}


@pytest.mark.parametrize('kind', boot_files.KINDS)
def test_drive_delivers_agent_files(tmp_path, ca, kind):
    entity_id = str(uuid.uuid4())
    files = _files(ca, kind, entity_id)
    iso = str(tmp_path / 'drive.iso')
    config_drive.build(iso, files, entity_id, name='m1',
                       network_data=NETWORK_DATA)
    label, tree = config_drive.read_iso(iso)
    assert label == 'config-2'
    meta = json.loads(tree['openstack/latest/meta_data.json'])
    assert meta['uuid'] == entity_id and meta['hostname'] == 'm1'
    assert [f['path'] for f in meta['files']] == [f.path for f in files]

    # What the image does at boot, on the drive's content.
    mnt, target, netd = (str(tmp_path / d) for d in ('mnt', 'root', 'net'))
    _extract(tree, mnt)
    installed = boot_config.apply(mnt, target=target, networkd_dir=netd)
    assert len(installed) == 3
    conf_path = os.path.join(target, 'etc/octavia-aa/%s-agent.conf' % kind)
    text = open(conf_path).read()
    assert stat.S_IMODE(os.stat(conf_path).st_mode) == 0o600
    group = '%s_agent' % kind
    assert '[%s]\n%s_id = %s\n' % (group, kind, entity_id) in text
    assert 'agent_server_cert = /etc/octavia-aa/certs/server.pem' in text
    assert ('controller_ip_port_list = 192.0.2.65:5555,192.0.2.66:5555'
            in text)
    assert 'heartbeat_key = hb-secret' in text
    assert 'log_file' not in text     # stderr: the journal
    pem = open(os.path.join(target, 'etc/octavia-aa/certs/server.pem'),
               'rb').read()
    cert = x509.load_pem_x509_certificate(pem)
    assert cert.subject.rfc4514_string() == 'CN=%s' % entity_id
    ca_pem = open(os.path.join(ca, 'client_ca.pem'), 'rb').read()
    assert open(os.path.join(target, 'etc/octavia-aa/certs/client_ca.pem'),
                'rb').read() == ca_pem

    units = sorted(os.listdir(netd))
    assert units == ['10-octavia-aa-0.network', '10-octavia-aa-1.network']
    static = open(os.path.join(netd, units[0])).read()
    assert 'MACAddress=52:54:00:12:34:56' in static
    assert 'Address=192.0.2.70/28' in static and 'MTUBytes=1450' in static
    assert 'Destination=0.0.0.0/0\nGateway=192.0.2.65' in static
    assert 'DHCP=ipv4' in open(os.path.join(netd, units[1])).read()


def test_agent_config_parses_with_agent_options(tmp_path, ca):
    """The rendered file is what the agents' oslo.config options read."""
    from oslo_config import cfg

    from distributor_agent import config as dist_config
    from octavia_aa.amphorae.backends.agent import config as amp_config
    for kind, module in (('amphora', amp_config),
                         ('distributor', dist_config)):
        files = _files(ca, kind, 'id-1', vrrp={
            'interface': 'eth0', 'priority': 150, 'virtual_router_id': 7,
            'advert_int': 0.5} if kind == 'distributor' else None)
        path = str(tmp_path / ('%s.conf' % kind))
        with open(path, 'wb') as f:
            f.write(files[-1].content)
        conf = cfg.ConfigOpts()
        module.register_opts(conf)
        conf(['--config-file', path])
        group = conf['%s_agent' % kind]
        assert getattr(group, '%s_id' % kind) == 'id-1'
        assert group.bind_host == '::' and group.bind_port == 9443
        health = conf['%s_health' % kind]
        assert health.heartbeat_interval == 2.0
        assert len(health.controller_ip_port_list) == 2
        if kind == 'distributor':
            assert conf.distributor_vrrp.enabled
            assert conf.distributor_vrrp.priority == 150
            assert conf.distributor_vrrp.advert_int == 0.5


def test_user_data_carries_files_with_modes(tmp_path, ca):
    files = _files(ca, 'amphora', 'id-2')
    data = config_drive.user_data(files)
    assert len(data) < 16384          # Nova allows 64 KiB
    back = boot_config.files_from_user_data(data)
    assert [(p, c, m) for p, c, m in back] == [
        (f.path, f.content, f.mode) for f in files]
    # Another kind of user data is not ours: ignored, not an error.
    assert boot_config.files_from_user_data(b'#!/bin/sh\necho hi\n') == []


def test_drive_cannot_write_outside_agent_config(tmp_path):
    bad = [boot_files.BootFile('/etc/shadow', b'x')]
    iso = str(tmp_path / 'bad.iso')
    config_drive.build(iso, bad, 'id-3')
    _label, tree = config_drive.read_iso(iso)
    _extract(tree, str(tmp_path / 'mnt'))
    with pytest.raises(boot_config.BootConfigError, match='/etc/shadow'):
        boot_config.apply(str(tmp_path / 'mnt'), target=str(tmp_path / 'r'),
                          networkd_dir=str(tmp_path / 'n'))
    assert not os.path.exists(str(tmp_path / 'r' / 'etc' / 'shadow'))
    with pytest.raises(boot_config.BootConfigError):
        boot_config.files_from_user_data(config_drive.user_data(
            [boot_files.BootFile('/etc/octavia-aa/../passwd', b'x')]))


def test_iso_names_stay_unique_and_long_names_survive(tmp_path):
    tree = {'openstack/latest/a-very-long-file-name-beyond-iso.json': b'1',
            'openstack/latest/a-very-long-file-name-beyond-iso.jsom': b'2',
            'openstack/latest/A.json': b'3', 'openstack/latest/a.json': b'4'}
    iso = str(tmp_path / 'n.iso')
    config_drive.write_iso(iso, tree)
    assert config_drive.read_iso(iso) == ('config-2', tree)
