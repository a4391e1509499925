"""Availability zones and their profiles through the real `openstack
loadbalancer` CLI against octavia-aa-all (noop drivers)."""
import json


def test_availability_zone_commands(cli):
    data = {'compute_zone': 'nova-az1'}
    azp = cli.json('loadbalancer', 'availabilityzoneprofile', 'create',
                   '--name', 'azp1', '--provider', 'amphora',
                   '--availability-zone-data', json.dumps(data))
    assert azp['provider_name'] == 'amphora'
    assert json.loads(azp['availability_zone_data']) == data
    listed = cli.json('loadbalancer', 'availabilityzoneprofile', 'list')
    assert [p['id'] for p in listed] == [azp['id']]
    assert cli.json('loadbalancer', 'availabilityzoneprofile', 'list',
                    '--provider', 'nothing') == []
    shown = cli.json('loadbalancer', 'availabilityzoneprofile', 'show',
                     'azp1')
    assert shown['id'] == azp['id']
    cli.run('loadbalancer', 'availabilityzoneprofile', 'set', '--name',
            'azp-one', '--availability-zone-data',
            json.dumps({'compute_zone': 'nova-az2'}), azp['id'])
    shown = cli.json('loadbalancer', 'availabilityzoneprofile', 'show',
                     azp['id'])
    assert shown['name'] == 'azp-one'
    assert json.loads(shown['availability_zone_data']) == {
        'compute_zone': 'nova-az2'}
    bad = cli.run('loadbalancer', 'availabilityzoneprofile', 'create',
                  '--name', 'bad', '--provider', 'amphora',
                  '--availability-zone-data', '{"volume_zone": "v"}',
                  ok=False)
    assert 'volume_zone' in bad.stderr

    caps = cli.json('loadbalancer', 'provider', 'capability', 'list',
                    'amphora', '--availability-zone')
    assert {c['name'] for c in caps} == {
        'compute_zone', 'management_network', 'valid_vip_networks'}

    az = cli.json('loadbalancer', 'availabilityzone', 'create', '--name',
                  'az1', '--availabilityzoneprofile', 'azp-one',
                  '--description', 'first zone', '--enable')
    assert az == {'name': 'az1', 'description': 'first zone',
                  'enabled': True,
                  'availability_zone_profile_id': azp['id']}
    assert [z['name'] for z in cli.json(
        'loadbalancer', 'availabilityzone', 'list')] == ['az1']
    cli.run('loadbalancer', 'availabilityzone', 'set', '--description',
            'better', 'az1')
    assert cli.json('loadbalancer', 'availabilityzone', 'show',
                    'az1')['description'] == 'better'
    cli.run('loadbalancer', 'availabilityzone', 'unset', '--description',
            'az1')
    assert cli.json('loadbalancer', 'availabilityzone', 'show',
                    'az1')['description'] in ('', None)

    lb = cli.json('loadbalancer', 'create', '--name', 'lb-az',
                  '--vip-subnet-id', 'public-subnet', '--availability-zone',
                  'az1', '--wait')
    assert lb['availability_zone'] == 'az1'
    assert lb['provisioning_status'] == 'ACTIVE'
    failed = cli.run('loadbalancer', 'create', '--vip-subnet-id',
                     'public-subnet', '--availability-zone', 'nowhere',
                     ok=False)
    assert 'Invalid availability zone' in failed.stderr
    cli.run('loadbalancer', 'availabilityzone', 'set', '--disable', 'az1')
    assert cli.json('loadbalancer', 'availabilityzone', 'list',
                    '--disable')[0]['name'] == 'az1'
    failed = cli.run('loadbalancer', 'create', '--vip-subnet-id',
                     'public-subnet', '--availability-zone', 'az1',
                     ok=False)
    assert 'not allowed in this deployment: az1' in failed.stderr

    # In use: neither the zone nor its profile can go.
    failed = cli.run('loadbalancer', 'availabilityzone', 'delete', 'az1',
                     ok=False)
    assert 'in use' in failed.stderr
    failed = cli.run('loadbalancer', 'availabilityzoneprofile', 'delete',
                     azp['id'], ok=False)
    assert 'in use' in failed.stderr
    cli.run('loadbalancer', 'delete', 'lb-az', '--wait')
    cli.run('loadbalancer', 'availabilityzone', 'delete', 'az1')
    assert cli.json('loadbalancer', 'availabilityzone', 'list') == []
    cli.run('loadbalancer', 'availabilityzoneprofile', 'delete', 'azp-one')
    assert cli.json('loadbalancer', 'availabilityzoneprofile', 'list') == []
