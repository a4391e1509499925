"""The real `openstack loadbalancer` CLI (python-octaviaclient) drives
octavia-aa-all end to end with the noop drivers."""
import json
import time


def test_cli_round_trip(cli):
    fp = cli.json('loadbalancer', 'flavorprofile', 'create', '--name',
                  'aa-profile', '--provider', 'amphora', '--flavor-data',
                  json.dumps({'loadbalancer_topology': 'ACTIVE_ACTIVE',
                              'cluster_desired_size': 3,
                              'cluster_min_size': 2}))
    assert fp['provider_name'] == 'amphora'
    flavor = cli.json('loadbalancer', 'flavor', 'create', '--name', 'gold',
                      '--flavorprofile', 'aa-profile', '--enable')
    assert flavor['flavor_profile_id'] == fp['id']

    lb = cli.json('loadbalancer', 'create', '--name', 'lb1', '--flavor',
                  'gold', '--vip-subnet-id', 'public-subnet', '--wait')
    assert lb['provisioning_status'] == 'ACTIVE'
    assert lb['vip_address'].startswith('198.51.100.')
    listed = cli.json('loadbalancer', 'list')
    assert [x['name'] for x in listed] == ['lb1']
    shown = cli.json('loadbalancer', 'show', 'lb1')
    assert shown['id'] == lb['id']
    assert shown['flavor_id'] == flavor['id']

    cli.run('loadbalancer', 'set', '--description', 'hello', 'lb1',
            '--wait')
    assert cli.json('loadbalancer', 'show', 'lb1')['description'] == 'hello'

    amps = cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                    'lb1')
    assert sorted(a['role'] for a in amps) == ['IN_CLUSTER'] * 3 + [
        'IN_CLUSTER_STANDBY']

    # New sizes in the profile resize the load balancers of its flavors.
    cli.run('loadbalancer', 'flavorprofile', 'set', '--flavor-data',
            json.dumps({'loadbalancer_topology': 'ACTIVE_ACTIVE',
                        'cluster_desired_size': 4, 'cluster_min_size': 2}),
            'aa-profile')
    deadline = time.monotonic() + 60
    while cli.json('loadbalancer', 'show', 'lb1')[
            'provisioning_status'] != 'ACTIVE':
        assert time.monotonic() < deadline, 'lb1 not resized'
        time.sleep(0.5)
    amps = cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                    'lb1')
    assert sorted(a['role'] for a in amps) == ['IN_CLUSTER'] * 4 + [
        'IN_CLUSTER_STANDBY']

    listener = cli.json('loadbalancer', 'listener', 'create', '--name',
                        'web', '--protocol', 'HTTP', '--protocol-port', '80',
                        'lb1', '--wait')
    assert listener['provisioning_status'] == 'ACTIVE'
    pool = cli.json('loadbalancer', 'pool', 'create', '--name', 'pool1',
                    '--listener', 'web', '--protocol', 'HTTP',
                    '--lb-algorithm', 'ROUND_ROBIN', '--wait')
    assert pool['provisioning_status'] == 'ACTIVE'
    member = cli.json('loadbalancer', 'member', 'create', '--name', 'm1',
                      '--subnet-id', 'private-subnet', '--address',
                      '203.0.113.20', '--protocol-port', '8080', 'pool1',
                      '--wait')
    assert member['address'] == '203.0.113.20'
    hm = cli.json('loadbalancer', 'healthmonitor', 'create', '--name',
                  'hm1', '--delay', '5', '--timeout', '3', '--max-retries',
                  '3', '--type', 'HTTP', 'pool1', '--wait')
    assert hm['provisioning_status'] == 'ACTIVE'
    assert [m['name'] for m in cli.json('loadbalancer', 'member', 'list',
                                        'pool1')] == ['m1']
    assert [h['id'] for h in cli.json('loadbalancer', 'healthmonitor',
                                      'list')] == [hm['id']]

    # `status show` prints JSON on its own and takes no -f.
    status = json.loads(cli.run('loadbalancer', 'status', 'show',
                                'lb1').stdout)
    tree = status['loadbalancer']
    assert tree['listeners'][0]['pools'][0]['members'][0][
        'address'] == '203.0.113.20'

    cli.run('loadbalancer', 'delete', '--cascade', '--wait', 'lb1')
    assert cli.json('loadbalancer', 'list') == []
    assert cli.json('loadbalancer', 'amphora', 'list') == []


def test_cli_shows_clear_errors(cli):
    proc = cli.run('loadbalancer', 'create', '--name', 'bad',
                   '--vip-subnet-id', 'no-such-subnet', ok=False)
    assert 'no-such-subnet' in proc.stderr
    proc = cli.run('loadbalancer', 'flavorprofile', 'create', '--name', 'x',
                   '--provider', 'amphora', '--flavor-data',
                   '{"loadbalancer_topology": "ACTIVE_PASSIVE"}', ok=False)
    assert 'loadbalancer_topology' in proc.stderr
    proc = cli.run('loadbalancer', 'flavorprofile', 'create', '--name', 'x',
                   '--provider', 'amphora', '--flavor-data',
                   '{"cluster_desired_size": 2, "cluster_min_size": 4}',
                   ok=False)
    assert 'cluster_min_size' in proc.stderr
    assert cli.json('loadbalancer', 'flavorprofile', 'list') == [] or all(
        p['name'] != 'x' for p in cli.json('loadbalancer', 'flavorprofile',
                                           'list'))
