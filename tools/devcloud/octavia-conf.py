"""Write octavia-aa's one config file for the devcloud (octavia-aa-all or
the split services on this host, against its Keystone, Nova, Neutron and
Glance):
  tools/devcloud/octavia-conf.py [OUT] [STATE_DIR]
OUT defaults to tools/devcloud/state/octavia-aa.conf, STATE_DIR (the
SQLite database, the local CAs) to tools/devcloud/state/octavia-aa.
It reads tools/devcloud/state/env and clouds.yaml (cloud
devcloud-octavia: the service user, also the API's token validator).
The health manager listens on the host's management address
(DEVCLOUD_MGMT_HOST_IP on br-dc-mgmt), where the VMs send heartbeats.
"""
import os
import pathlib
import secrets
import sys

import yaml

HERE = pathlib.Path(__file__).resolve().parent
STATE = pathlib.Path(os.environ.get('DEVCLOUD_STATE', HERE / 'state'))


def read_env(path):
    env = {}
    for line in path.read_text().splitlines():
        if line.startswith('export ') and '=' in line:
            key, _, value = line[len('export '):].partition('=')
            env[key] = value
    return env


def sections(env, cloud, state_dir, hm_port=5555, heartbeat_key=None):
    auth = cloud['auth']
    service_auth = dict(auth_type='password', **auth)
    if cloud.get('region_name'):
        service_auth['region_name'] = cloud['region_name']
    host_ip = env['DEVCLOUD_MGMT_HOST_IP']
    return {
        'DEFAULT': {'state_path': state_dir, 'debug': 'true'},
        'api_settings': {'bind_host': '127.0.0.1', 'bind_port': 9876,
                         'auth_strategy': 'keystone'},
        'keystone_authtoken': dict(
            www_authenticate_uri=auth['auth_url'], auth_type='password',
            service_token_roles_required='true', **auth),
        'service_auth': service_auth,
        'controller_worker': {
            'compute_driver': 'compute_nova_driver',
            'network_driver': 'network_neutron_driver',
            'amphora_driver': 'amphora_rest_driver',
            'distributor_driver': 'distributor_rest_driver',
            # tests/devcloud/test_nova_boot.py's tags on the one image.
            'amp_image_tag': 'octavia-aa-amphora',
            'distributor_image_tag': 'octavia-aa-distributor',
            'amp_flavor_id': 'amphora',
            'distributor_flavor_id': 'amphora',
            # Distributors are made by the AA scenario, not on start.
            'distributor_bootstrap': 'none'},
        'nova': {'build_timeout': 1200,
                 'anti_affinity_policy': 'soft-anti-affinity'},
        # The defaults (0.03 s, 0.03 s, 2) are sized for machines that
        # answer in microseconds; a TCG guest on a loaded 2-core host can
        # stall for more than 60 ms: the MASTER distributor once failed
        # all three healthy amphorae at once, most likely so.
        'distributor_probes': {'interval': 1.0, 'timeout': 1.0,
                               'fall': 3},
        'neutron': {'management_network': 'lb-mgmt-net',
                    'controller_cidrs': '%s/32' % host_ip},
        'health_manager': {
            'bind_ip': host_ip, 'bind_port': hm_port,
            'controller_ip_port_list': '%s:%d' % (host_ip, hm_port),
            'heartbeat_key': heartbeat_key or secrets.token_hex(16),
            # TCG guests are slow: a loaded host delays heartbeats.
            'heartbeat_interval': 3, 'heartbeat_timeout': 30},
    }


def write(out, values):
    with open(out, 'w') as f:
        for section, items in values.items():
            f.write('[%s]\n' % section)
            for key, value in items.items():
                f.write('%s = %s\n' % (key, value))
            f.write('\n')


def main(argv):
    out = argv[1] if len(argv) > 1 else str(STATE / 'octavia-aa.conf')
    state_dir = argv[2] if len(argv) > 2 else str(STATE / 'octavia-aa')
    env = read_env(STATE / 'env')
    with open(env['OS_CLIENT_CONFIG_FILE']) as f:
        cloud = yaml.safe_load(f)['clouds']['devcloud-octavia']
    os.makedirs(state_dir, exist_ok=True)
    write(out, sections(env, cloud, state_dir))
    print(out)


if __name__ == '__main__':
    main(sys.argv)
