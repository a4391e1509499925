"""Inside a virtual machine, at boot: the agent's files from the config
drive, and the management network from its ``network_data.json``.

``octavia-aa-boot-config`` (a oneshot systemd unit ordered before the
network and the agents) finds the drive by its label (``config-2``, as
Nova writes it, or NoCloud's ``cidata``), mounts it read-only, copies the
files meant for ``/etc/octavia-aa`` and writes systemd-networkd units.
Files come either as OpenStack "personality" files (``meta_data.json``
``files`` list, content under ``openstack/content/``) or in our JSON
user data (``{"octavia_aa_files": [{"path", "mode", "content"}]}``,
content base64), which Nova passes on unchanged at any API microversion.

Standard library only: it runs before anything else in the image and
the controller's config_drive module shares its constants.
"""
import base64
import ipaddress
import json
import logging
import os
import subprocess
import sys
import tempfile
import time

LOG = logging.getLogger('octavia-aa-boot-config')

LABELS = ('config-2', 'cidata')
META_DATA = 'openstack/latest/meta_data.json'
NETWORK_DATA = 'openstack/latest/network_data.json'
USER_DATA = 'openstack/latest/user_data'
NOCLOUD_USER_DATA = 'user-data'
CONTENT_DIR = 'openstack/content'
USER_DATA_KEY = 'octavia_aa_files'
# Only the agents' configuration: a config drive is no way to replace
# arbitrary system files of the image.
ALLOWED_PREFIX = '/etc/octavia-aa/'
NETWORKD_DIR = '/run/systemd/network'


class BootConfigError(Exception):
    pass


def find_device(timeout=120.0, interval=0.5):
    """Block device carrying one of LABELS; None when none appears (blkid
    reads the devices itself, it does not wait for udev's links).  Under
    emulation (TCG) udev may take a minute to load the CD-ROM driver."""
    deadline = time.monotonic() + timeout
    while True:
        for label in LABELS:
            out = subprocess.run(
                ['blkid', '-l', '-o', 'device', '-t', 'LABEL=%s' % label],
                capture_output=True, text=True)
            if out.returncode == 0 and out.stdout.strip():
                return out.stdout.strip()
        if time.monotonic() >= deadline:
            return None
        time.sleep(interval)


def _safe_path(path):
    norm = os.path.normpath('/' + path.lstrip('/'))
    if not norm.startswith(ALLOWED_PREFIX):
        raise BootConfigError('refusing %s: only files under %s'
                              % (path, ALLOWED_PREFIX))
    return norm


def _drive_file(root, relative):
    path = os.path.join(root, relative.lstrip('/'))
    try:
        with open(path, 'rb') as f:
            return f.read()
    except FileNotFoundError:
        return None


def files_from_user_data(data):
    """[(path, content, mode)] from our JSON user data; [] for any other
    user data (a shell script, cloud-config: not ours to run)."""
    try:
        doc = json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return []
    if not isinstance(doc, dict) or USER_DATA_KEY not in doc:
        return []
    out = []
    for entry in doc[USER_DATA_KEY]:
        out.append((_safe_path(entry['path']),
                    base64.b64decode(entry['content']),
                    int(str(entry.get('mode', '0600')), 8)))
    return out


def read_drive(root):
    """Files for this machine found on a mounted drive at ``root``."""
    found = []
    meta = _drive_file(root, META_DATA)
    if meta is not None:
        for entry in json.loads(meta).get('files', []):
            content = _drive_file(
                root, os.path.join('openstack', entry['content_path'].lstrip(
                    '/')))
            if content is None:
                raise BootConfigError('%s lists missing %s'
                                      % (META_DATA, entry['content_path']))
            # Personality files carry no mode: certificates and keys are
            # among them, so root-only.
            found.append((_safe_path(entry['path']), content, 0o600))
    for name in (USER_DATA, NOCLOUD_USER_DATA):
        data = _drive_file(root, name)
        if data is not None:
            found.extend(files_from_user_data(data))
    return found


def install_files(files, target='/'):
    for path, content, mode in files:
        dest = os.path.join(target, path.lstrip('/'))
        os.makedirs(os.path.dirname(dest), mode=0o700, exist_ok=True)
        tmp = dest + '.tmp'
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, mode)
        with os.fdopen(fd, 'wb') as f:
            f.write(content)
        os.chmod(tmp, mode)
        os.replace(tmp, dest)
        LOG.info('wrote %s', path)


def networkd_units(network_data):
    """{file name: text} of systemd-networkd units for the links that
    ``network_data.json`` (Nova's format) configures, matched by MAC.
    Links it does not name stay unmanaged: the agents plug those."""
    links = {link['id']: link for link in network_data.get('links', [])}
    dns = [s['address'] for s in network_data.get('services', [])
           if s.get('type') == 'dns']
    per_link = {}       # link id -> ([Network] lines, [Route] sections)
    for net in network_data.get('networks', []):
        link = links.get(net.get('link'))
        if not link or not link.get('ethernet_mac_address'):
            continue
        lines, routes = per_link.setdefault(link['id'], ([], []))
        kind = net.get('type', '')
        if kind == 'ipv4_dhcp':
            lines.append('DHCP=ipv4')
        elif kind.startswith('ipv6_'):       # SLAAC or DHCPv6: from RAs
            lines.append('IPv6AcceptRA=yes')
        elif kind in ('ipv4', 'ipv6'):
            iface = ipaddress.ip_interface('%s/%s' % (
                net['ip_address'], net.get('netmask') or
                ('32' if kind == 'ipv4' else '128')))
            lines.append('Address=%s' % iface.with_prefixlen)
            for route in net.get('routes', []):
                dest = ipaddress.ip_network('%s/%s' % (
                    route['network'], route['netmask']))
                routes.append('[Route]\nDestination=%s\nGateway=%s\n' % (
                    dest.with_prefixlen, route['gateway']))
    units = {}
    for index, link_id in enumerate(sorted(per_link)):
        lines, routes = per_link[link_id]
        link = links[link_id]
        text = '[Match]\nMACAddress=%s\n\n' % link['ethernet_mac_address']
        if link.get('mtu'):
            text += '[Link]\nMTUBytes=%s\n\n' % link['mtu']
        ipv6 = any(x.startswith('IPv6') for x in lines)
        text += '[Network]\nLinkLocalAddressing=%s\n' % (
            'ipv6' if ipv6 else 'no')
        text += ''.join('%s\n' % x for x in
                        ['DNS=%s' % d for d in dns] + lines)
        text += ''.join('\n' + r for r in routes)
        units['10-octavia-aa-%d.network' % index] = text
    return units


def write_networkd(network_data, directory=NETWORKD_DIR):
    os.makedirs(directory, exist_ok=True)
    for name, text in networkd_units(network_data).items():
        with open(os.path.join(directory, name), 'w') as f:
            f.write(text)
        LOG.info('network unit %s', name)


def apply(root, target='/', networkd_dir=NETWORKD_DIR):
    """Everything from a mounted drive: files and network units."""
    files = read_drive(root)
    install_files(files, target)
    net = _drive_file(root, NETWORK_DATA)
    if net is not None:
        write_networkd(json.loads(net), networkd_dir)
    return files


def main(argv=None):
    logging.basicConfig(level=logging.INFO, stream=sys.stdout,
                        format='%(name)s: %(message)s')
    device = find_device()
    if device is None:
        LOG.error('no config drive (labels %s): the agents have no '
                  'configuration', ', '.join(LABELS))
        return 1
    mountpoint = tempfile.mkdtemp(prefix='octavia-aa-drive-', dir='/run')
    subprocess.run(['mount', '-o', 'ro', device, mountpoint], check=True)
    try:
        files = apply(mountpoint)
    finally:
        subprocess.run(['umount', mountpoint], check=False)
        os.rmdir(mountpoint)
    LOG.info('%d file(s) from %s', len(files), device)
    return 0


if __name__ == '__main__':
    sys.exit(main())
