"""OpenStack config drives carrying a machine's boot files.

The layout is Nova's: an ISO 9660 volume labelled ``config-2`` (Rock
Ridge and Joliet names, as ``genisoimage -r -J`` makes them) with
``openstack/latest/meta_data.json`` whose ``files`` list points at
``openstack/content/NNNN``, plus ``network_data.json`` and ``user_data``
when given.  The image's ``octavia-aa-boot-config`` (octavia_aa.common.
boot_config) reads it back at boot.  For Nova, which builds the drive
itself, user_data() gives the same files as user data.

pycdlib writes and reads the ISO in pure Python: no genisoimage, and no
loop mount (and no iso9660 kernel module) needed on the controller.

The controller makes the files (octavia_aa.controller.worker.machines,
at the paths of the driver's boot_layout, by default IMAGE_LAYOUTS) and
hands them over in MachineSpec.boot_files; a compute driver does::

    config_drive.build(iso_path, spec.boot_files, spec.entity_id,
                       network_data=...)
    # or, through Nova (config_drive=True):
    #     user_data=config_drive.user_data(spec.boot_files)
"""
import base64
import io
import json
import posixpath
import re

import pycdlib

from octavia_aa.common import boot_config

LABEL = boot_config.LABELS[0]


def user_data(files):
    """Our JSON user data (boot_config.files_from_user_data reads it)."""
    return json.dumps({boot_config.USER_DATA_KEY: [
        {'path': f.path, 'mode': '%04o' % f.mode,
         'content': base64.b64encode(f.content).decode()}
        for f in files]}, sort_keys=True).encode()


def drive_tree(files, instance_id, name=None, network_data=None,
               user_data_bytes=None):
    """{path on the drive: bytes}: meta_data.json with the ``files``
    (personality) list and their contents, network_data.json, user_data.
    files: [boot_files.BootFile]."""
    tree = {}
    entries = []
    for index, f in enumerate(files):
        content_path = '/content/%04d' % index
        tree[posixpath.join('openstack', content_path.lstrip('/'))] = \
            f.content
        entries.append({'path': f.path, 'content_path': content_path})
    meta = {'uuid': str(instance_id), 'files': entries}
    if name:
        meta.update(name=name, hostname=name)
    tree[boot_config.META_DATA] = json.dumps(meta, sort_keys=True).encode()
    if network_data is not None:
        tree[boot_config.NETWORK_DATA] = json.dumps(
            network_data, sort_keys=True).encode()
    if user_data_bytes is not None:
        tree[boot_config.USER_DATA] = user_data_bytes
    return tree


def _iso_name(name, is_file, taken):
    """An ISO 9660 level 3 name (d-characters, at most 30) unique in its
    directory; the real name goes in Rock Ridge and Joliet."""
    stem, dot, ext = name.rpartition('.') if '.' in name else (name, '', '')
    clean = lambda s: re.sub('[^A-Z0-9_]', '_', s.upper())  # noqa: E731
    stem, ext = clean(stem)[:24], clean(ext)[:5]
    for n in range(1000):
        candidate = stem if n == 0 else '%s_%d' % (stem[:20], n)
        if is_file:
            candidate = '%s.%s;1' % (candidate, ext)
        if candidate not in taken:
            taken.add(candidate)
            return candidate
    raise ValueError('too many names like %s' % name)


def write_iso(path, tree, label=LABEL):
    """Write {drive path: bytes} as an ISO 9660 file at ``path``."""
    iso = pycdlib.PyCdlib()
    iso.new(interchange_level=3, vol_ident=label, rock_ridge='1.09',
            joliet=3, sys_ident='LINUX', app_ident_str='octavia-aa')
    dirs = {'': '/'}               # real dir -> ISO dir
    taken = {}                     # ISO dir -> names used
    try:
        for drive_path in sorted(tree):
            parts = drive_path.strip('/').split('/')
            for depth in range(1, len(parts)):
                real = '/'.join(parts[:depth])
                if real not in dirs:
                    parent = dirs['/'.join(parts[:depth - 1])]
                    iso_dir = posixpath.join(parent, _iso_name(
                        parts[depth - 1], False, taken.setdefault(parent,
                                                                  set())))
                    iso.add_directory(iso_dir, rr_name=parts[depth - 1],
                                      joliet_path='/' + real)
                    dirs[real] = iso_dir
            parent = dirs['/'.join(parts[:-1])]
            data = tree[drive_path]
            iso.add_fp(io.BytesIO(data), len(data),
                       posixpath.join(parent, _iso_name(
                           parts[-1], True, taken.setdefault(parent, set()))),
                       rr_name=parts[-1], joliet_path='/' + '/'.join(parts))
        iso.write(path)
    finally:
        iso.close()


def build(path, files, instance_id, name=None, network_data=None):
    """A config drive at ``path`` delivering ``files`` (BootFile)."""
    write_iso(path, drive_tree(files, instance_id, name=name,
                               network_data=network_data))


def read_iso(path):
    """(volume label, {drive path: bytes}) of an ISO, by Rock Ridge
    names."""
    iso = pycdlib.PyCdlib()
    iso.open(path)
    try:
        label = iso.pvd.volume_identifier.decode().strip()
        tree = {}
        for root, _dirs, names in iso.walk(rr_path='/'):
            for name in names:
                rr = posixpath.join(root, name)
                out = io.BytesIO()
                iso.get_file_from_iso_fp(out, rr_path=rr)
                tree[rr.lstrip('/')] = out.getvalue()
        return label, tree
    finally:
        iso.close()
