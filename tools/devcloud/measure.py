"""Boot N servers at once on the devcloud and print one JSON line of figures.

  /opt/devcloud/venv/bin/python tools/devcloud/measure.py [--count N]
      [--image NAME] [--flavor amphora] [--marker TEXT] [--boot-timeout S]

Figures: seconds from create to ACTIVE and to the console marker (the test
image prints "devcloud-vm: boot complete"; a DIB image e.g. "login:"), the
QEMU resident memory per guest once booted, and seconds to delete them all.
Every server it made is deleted, even on failure.
"""
import argparse
import json
import os
import pathlib
import subprocess
import time

import openstack
import openstack.config

STATE = pathlib.Path(__file__).resolve().parent / 'state'


def env_file():
    env = {}
    for line in (STATE / 'env').read_text().splitlines():
        if line.startswith('export ') and '=' in line:
            k, _, v = line[7:].partition('=')
            env[k] = v
    return env


def qemu_rss_mb(instance_name):
    out = subprocess.run(['ps', '-eo', 'rss,args'], capture_output=True,
                         text=True).stdout
    for line in out.splitlines():
        if 'qemu-system' in line and 'guest=%s,' % instance_name in line:
            return int(line.split()[0]) // 1024
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--count', type=int, default=1)
    ap.add_argument('--image', default='devcloud-test')
    ap.add_argument('--flavor', default='amphora')
    ap.add_argument('--marker', default='devcloud-vm: boot complete')
    ap.add_argument('--boot-timeout', type=int, default=900)
    args = ap.parse_args()
    env = env_file()
    cfg = openstack.config.OpenStackConfig(
        config_files=[env['OS_CLIENT_CONFIG_FILE']])
    conn = openstack.connection.Connection(
        config=cfg.get_one(cloud='devcloud-admin'))
    image = conn.image.find_image(args.image, ignore_missing=False)
    flavor = conn.compute.find_flavor(args.flavor, ignore_missing=False)
    t0 = time.monotonic()
    servers = []
    result = {'count': args.count, 'image': args.image, 'flavor': args.flavor}
    try:
        for i in range(args.count):
            servers.append(conn.compute.create_server(
                name='devcloud-measure-%d-%d' % (os.getpid(), i),
                image_id=image.id, flavor_id=flavor.id, config_drive=True,
                networks=[{'uuid': env['DEVCLOUD_MGMT_NET_ID']},
                          {'uuid': env['DEVCLOUD_TENANT_NET_ID']}]))
        active, booted = {}, {}
        deadline = t0 + args.boot_timeout
        while len(booted) < len(servers) and time.monotonic() < deadline:
            for s in servers:
                if s.id in booted:
                    continue
                if s.id not in active:
                    cur = conn.compute.get_server(s)
                    if cur.status == 'ERROR':
                        raise RuntimeError('server %s: %s' % (s.id, cur.fault))
                    if cur.status == 'ACTIVE':
                        active[s.id] = time.monotonic() - t0
                        s.instance_name = cur.instance_name
                    continue
                out = conn.compute.get_server_console_output(s)['output']
                if args.marker in out:
                    booted[s.id] = time.monotonic() - t0
            time.sleep(3)
        result['active_s'] = sorted(round(v, 1) for v in active.values())
        result['booted_s'] = sorted(round(v, 1) for v in booted.values())
        result['all_booted'] = len(booted) == len(servers)
        result['qemu_rss_mb'] = [qemu_rss_mb(s.instance_name)
                                 for s in servers if s.id in active]
    finally:
        t1 = time.monotonic()
        for s in servers:
            conn.compute.delete_server(s, ignore_missing=True)
        for s in servers:
            conn.compute.wait_for_delete(s, wait=600, interval=2)
        result['delete_s'] = round(time.monotonic() - t1, 1)
    print(json.dumps(result))


if __name__ == '__main__':
    main()
