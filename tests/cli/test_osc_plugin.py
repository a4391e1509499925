"""octavia-aa's own `openstack loadbalancer` commands (octavia_aa/osc,
the plugin shipped in the package), run with the real `openstack` CLI
against octavia-aa-all on the noop drivers: clusters, distributors,
faults, topology and `amphora list --role IN_CLUSTER`, in the output
formats of every OSC command, and the API's message on refusals."""
import importlib.metadata
import json
import os
import sqlite3
import uuid

import pytest

PREFIX = 'osc-' + uuid.uuid4().hex[:6]
NO_SUCH = '00000000-0000-4000-8000-000000000000'


@pytest.fixture(scope='module')
def lb(cli):
    """An ACTIVE_ACTIVE load balancer: 3 IN_CLUSTER + 1 standby."""
    profile = PREFIX + '-aa'
    cli.run('loadbalancer', 'flavorprofile', 'create', '--name', profile,
            '--provider', 'amphora', '--flavor-data', json.dumps({
                'loadbalancer_topology': 'ACTIVE_ACTIVE',
                'cluster_desired_size': 3, 'cluster_min_size': 2,
                'cluster_cooldown': 0}))
    cli.run('loadbalancer', 'flavor', 'create', '--name', profile,
            '--flavorprofile', profile, '--enable')
    return cli.json('loadbalancer', 'create', '--name', PREFIX + '-lb',
                    '--flavor', profile, '--vip-subnet-id', 'public-subnet',
                    '--wait')


def _db_set(service, table, obj_id, **values):
    """What only the worker or the health manager writes (a fault, an
    ERROR), written into the service's database."""
    db = sqlite3.connect(os.path.join(service.state, 'octavia-aa.sqlite'))
    with db:
        db.execute('UPDATE %s SET %s WHERE id = ?' % (
            table, ', '.join('%s = ?' % k for k in values)),
            (*values.values(), obj_id))
    db.close()


def _refused(cli, *args):
    """The command exits non-zero; its last stderr line."""
    return cli.run(*args, ok=False).stderr.strip().splitlines()[-1]


def test_commands_are_registered(cli):
    eps = importlib.metadata.entry_points(group='openstack.octavia_aa.v2')
    names = {ep.name.replace('_', ' ') for ep in eps}
    assert 'loadbalancer cluster set' in names
    assert len(names) == 10
    # As the CLI loaded them: the extension's own command group.
    (group,) = cli.json('command', 'list', '--group', 'octavia_aa')
    assert group['Command Group'] == 'openstack.octavia_aa.v2'
    assert set(group['Commands']) == names


def test_cluster_list_show_set(cli, lb):
    clusters = cli.json('loadbalancer', 'cluster', 'list')
    (mine,) = [c for c in clusters if c['loadbalancer_id'] == lb['id']]
    assert (mine['desired_size'], mine['min_size'],
            mine['standby_count']) == (3, 2, 1)
    assert cli.json('loadbalancer', 'cluster', 'list', '--loadbalancer',
                    lb['name']) == [mine]

    # By the load balancer's name, by the cluster's id: the same cluster.
    shown = cli.json('loadbalancer', 'cluster', 'show', lb['name'])
    assert cli.json('loadbalancer', 'cluster', 'show', mine['id']) == shown
    assert sorted(a['role'] for a in shown['amphorae']) == [
        'IN_CLUSTER'] * 3 + ['IN_CLUSTER_STANDBY']
    assert cli.run('loadbalancer', 'cluster', 'show', mine['id'], '-f',
                   'value', '-c', 'desired_size').stdout == '3\n'
    table = cli.run('loadbalancer', 'cluster', 'show', mine['id']).stdout
    assert '| standby_count' in table and '| cooldown' in table

    got = cli.json('loadbalancer', 'cluster', 'set', lb['name'],
                   '--desired-size', '4', '--standby-count', '2',
                   '--cooldown', '3600', '--wait')
    assert got['provisioning_status'] == 'ACTIVE'
    assert (got['desired_size'], got['standby_count'],
            got['cooldown']) == (4, 2, 3600)
    assert sorted(a['role'] for a in got['amphorae']) == [
        'IN_CLUSTER'] * 4 + ['IN_CLUSTER_STANDBY'] * 2

    # The API's refusals, word for word.
    assert 'is cooling down for' in _refused(
        cli, 'loadbalancer', 'cluster', 'set', mine['id'],
        '--desired-size', '5')
    assert 'min_size (5) must not be above desired_size (4)' in _refused(
        cli, 'loadbalancer', 'cluster', 'set', mine['id'], '--min-size',
        '5')
    assert 'Nothing to set' in _refused(cli, 'loadbalancer', 'cluster',
                                        'set', mine['id'])
    assert 'Cluster %s not found. (HTTP 404)' % NO_SUCH in _refused(
        cli, 'loadbalancer', 'cluster', 'show', NO_SUCH)
    assert 'No cluster with the ID or cluster_name %s-none' % PREFIX in \
        _refused(cli, 'loadbalancer', 'cluster', 'show', PREFIX + '-none')


def test_amphora_list_by_cluster_role(cli, lb):
    # The stock client offers only MASTER, BACKUP and STANDALONE.
    amps = cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                    lb['id'], '--role', 'IN_CLUSTER')
    standby = cli.json('loadbalancer', 'amphora', 'list', '--loadbalancer',
                       lb['id'], '--role', 'in_cluster_standby')
    assert amps and {a['role'] for a in amps} == {'IN_CLUSTER'}
    assert standby and {a['role'] for a in standby} == {
        'IN_CLUSTER_STANDBY'}
    everything = cli.json('loadbalancer', 'amphora', 'list',
                          '--loadbalancer', lb['id'])
    assert len(everything) == len(amps) + len(standby)


def test_topology_and_faults(cli, lb, service):
    topo = cli.json('loadbalancer', 'topology', 'show', lb['name'])
    cluster = cli.json('loadbalancer', 'cluster', 'show', lb['id'])
    assert topo['topology'] == 'ACTIVE_ACTIVE'
    assert topo['cluster_id'] == cluster['id']
    assert topo['distributor_id'] == cluster['distributor_id']
    assert topo['fault'] is None

    listener = cli.json('loadbalancer', 'listener', 'create', '--name',
                        PREFIX + '-web', '--protocol', 'HTTP',
                        '--protocol-port', '80', lb['id'], '--wait')
    # Nothing failed: no fault to list, but --all lists the whole tree.
    assert cli.json('loadbalancer', 'fault', 'list', lb['id']) == []
    tree = cli.json('loadbalancer', 'fault', 'list', lb['id'], '--all')
    assert [r['resource'] for r in tree[:2]] == ['loadbalancer', 'cluster']
    assert {'amphora', 'distributor', 'listener'} <= {
        r['resource'] for r in tree}

    # A failed step, as the worker records it.
    _db_set(service, 'listener', listener['id'],
            provisioning_status='ERROR', fault='lst-Push failed: boom')
    faults = cli.json('loadbalancer', 'fault', 'list', lb['name'])
    assert faults == [{'resource': 'listener', 'id': listener['id'],
                       'name': PREFIX + '-web', 'status': 'ERROR',
                       'operating_status': 'OFFLINE',
                       'fault': 'lst-Push failed: boom'}]
    assert 'Load Balancer %s not found' % NO_SUCH in _refused(
        cli, 'loadbalancer', 'fault', 'list', NO_SUCH)


def test_single_topology(cli):
    name = PREFIX + '-single'
    cli.run('loadbalancer', 'flavorprofile', 'create', '--name', name,
            '--provider', 'amphora', '--flavor-data',
            json.dumps({'loadbalancer_topology': 'SINGLE'}))
    cli.run('loadbalancer', 'flavor', 'create', '--name', name,
            '--flavorprofile', name, '--enable')
    lb = cli.json('loadbalancer', 'create', '--name', name, '--flavor',
                  name, '--vip-subnet-id', 'public-subnet', '--wait')
    topo = cli.json('loadbalancer', 'topology', 'show', name)
    assert (topo['topology'], topo['cluster_id']) == ('SINGLE', None)
    assert [a['role'] for a in topo['amphorae']] == ['STANDALONE']
    assert 'Load balancer %s is SINGLE: only ACTIVE_ACTIVE load ' \
        'balancers have a cluster.' % lb['id'] in _refused(
            cli, 'loadbalancer', 'cluster', 'show', name)


def test_distributors(cli, lb, service):
    backup = cli.json('loadbalancer', 'distributor', 'create', '--name',
                      PREFIX + '-b', '--role', 'backup', '--wait')
    master = cli.json('loadbalancer', 'distributor', 'create', '--name',
                      PREFIX + '-m', '--role', 'MASTER', '--peer',
                      PREFIX + '-b', '--wait')
    assert backup['status'] == master['status'] == 'ACTIVE'
    assert (master['role'], master['peer_id']) == ('MASTER', backup['id'])

    listed = {d['id']: d for d in cli.json('loadbalancer', 'distributor',
                                           'list')}
    assert listed[master['id']]['peer_id'] == backup['id']
    assert [d['id'] for d in cli.json('loadbalancer', 'distributor', 'list',
                                      '--role', 'BACKUP')
            if d['name'].startswith(PREFIX)] == [backup['id']]
    assert cli.json('loadbalancer', 'distributor', 'show',
                    PREFIX + '-m') == cli.json(
        'loadbalancer', 'distributor', 'show', master['id'])
    value = cli.run('loadbalancer', 'distributor', 'show', master['id'],
                    '-f', 'value', '-c', 'role').stdout
    assert value == 'MASTER\n'

    # Failover of one in ERROR: a new machine under the same row (the
    # noop compute driver gives every build a new compute id).
    _db_set(service, 'distributor', master['id'], status='ERROR',
            fault='Stopped sending heartbeats for 10 s')
    assert cli.json('loadbalancer', 'distributor', 'show', master['id'])[
        'fault'] == 'Stopped sending heartbeats for 10 s'
    cli.run('loadbalancer', 'distributor', 'failover', PREFIX + '-m',
            '--wait')
    after = cli.json('loadbalancer', 'distributor', 'show', master['id'])
    assert (after['status'], after['fault']) == ('ACTIVE', None)
    assert after['compute_id'] != master['compute_id']
    assert (after['role'], after['peer_id']) == ('MASTER', backup['id'])

    # The one serving the load balancer may not go.
    serving = cli.json('loadbalancer', 'cluster', 'show',
                       lb['id'])['distributor_id']
    assert 'still serves 1 load balancer(s)' in cli.run(
        'loadbalancer', 'distributor', 'delete', serving,
        ok=False).stderr
    assert cli.json('loadbalancer', 'distributor', 'show',
                    serving)['status'] == 'ACTIVE'

    for args, message in [
            (('show', NO_SUCH), 'Distributor %s not found. (HTTP 404)'
             % NO_SUCH),
            (('failover', NO_SUCH), 'Distributor %s not found.' % NO_SUCH),
            (('show', PREFIX + '-x'), 'No distributor with the ID or name'),
            (('create', '--peer', PREFIX + '-x'),
             'No distributor with the ID or name'),
            (('create', '--max-load-balancers', '0'), 'max_load_balancers')]:
        assert message in _refused(cli, 'loadbalancer', 'distributor',
                                   *args), args

    # Not while it is busy.
    _db_set(service, 'distributor', backup['id'], status='PENDING_UPDATE')
    assert 'is PENDING_UPDATE: only an ACTIVE or ERROR distributor can ' \
        'be failed over. (HTTP 409)' in _refused(
            cli, 'loadbalancer', 'distributor', 'failover', backup['id'])
    _db_set(service, 'distributor', backup['id'], status='ACTIVE')

    cli.run('loadbalancer', 'distributor', 'delete', master['id'],
            backup['id'], '--wait')
    left = {d['id'] for d in cli.json('loadbalancer', 'distributor', 'list')}
    assert not left & {master['id'], backup['id']}
