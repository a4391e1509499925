"""The whole chain as a user has it: octavia-aa-all as a process with
auth_strategy = keystone, found through Keystone's catalog, and the real
`openstack` CLI logging in with a password."""
import os

import pytest
import requests

from tests import noop
from tests import service as service_proc
from tests.cli import conftest as cli_fixtures
from tests.rbac import conftest as rbac

pytestmark = pytest.mark.slow


class Service:
    def __init__(self, auth_url, endpoint):
        self.auth_url = auth_url
        self.endpoint = endpoint


@pytest.fixture(scope='module')
def keystone_service(keystone_cloud, tmp_path_factory):
    keystone = keystone_cloud.keystone
    state = tmp_path_factory.mktemp('state')
    port = service_proc.free_port()
    url = 'http://127.0.0.1:%d' % port
    conf = state / 'octavia-aa.conf'
    conf.write_text(
        '[DEFAULT]\nstate_path = %s\n'
        '[api_settings]\nbind_port = %d\nauth_strategy = keystone\n'
        '[health_manager]\nbind_port = %d\n%s'
        '[keystone_authtoken]\nwww_authenticate_uri = %s\nauth_url = %s\n'
        'auth_type = password\nusername = octavia\npassword = %s\n'
        'project_name = oaa-service\nuser_domain_name = Default\n'
        'project_domain_name = Default\n'
        % (state, port, service_proc.free_port(), noop.CONF_SECTION,
           keystone.url, keystone.url, rbac.PASSWORD))
    # The CLI resolves subnets through Neutron: octavia-aa's own
    # read-only subnets stand in for it, as without Keystone.
    keystone.endpoint('load-balancer', 'octavia', url)
    keystone.endpoint('network', 'neutron', url)
    with service_proc.run_conf(conf, port):
        yield Service(keystone.url, url)


class KeystoneCli(cli_fixtures.Cli):
    def __init__(self, auth_url, user):
        project = rbac.USERS[user][0]
        self.env = {k: v for k, v in os.environ.items()
                    if not k.startswith('OS_')}
        self.env.update(OS_AUTH_TYPE='password', OS_AUTH_URL=auth_url,
                        OS_USERNAME=user, OS_PASSWORD=rbac.PASSWORD,
                        OS_PROJECT_NAME='oaa-' + project,
                        OS_USER_DOMAIN_NAME='Default',
                        OS_PROJECT_DOMAIN_NAME='Default',
                        OS_IDENTITY_API_VERSION='3',
                        OS_REGION_NAME='RegionOne', OS_INTERFACE='public')


def test_cli_with_keystone_tokens(keystone_service, keystone_cloud):
    a = KeystoneCli(keystone_service.auth_url, 'a_member')
    b = KeystoneCli(keystone_service.auth_url, 'b_member')
    reader = KeystoneCli(keystone_service.auth_url, 'a_reader')
    lb = a.json('loadbalancer', 'create', '--name', 'lb-a',
                '--vip-subnet-id', 'public-subnet', '--wait')
    pool = a.json('loadbalancer', 'pool', 'create', '--loadbalancer',
                  lb['id'], '--protocol', 'HTTP', '--lb-algorithm',
                  'ROUND_ROBIN', '--wait')
    member = a.json('loadbalancer', 'member', 'create', '--address',
                    '192.0.2.10', '--protocol-port', '80', '--wait',
                    pool['id'])
    assert [m['id'] for m in reader.json('loadbalancer', 'member', 'list',
                                         pool['id'])] == [member['id']]
    assert [x['id'] for x in reader.json('loadbalancer', 'list')] == [
        lb['id']]
    refused = reader.run('loadbalancer', 'set', '--name', 'x', lb['id'],
                         ok=False)
    assert '403' in refused.stderr + refused.stdout
    # Project B: the members of A's pool are a 403, as upstream; the CLI,
    # refused the pool too, says it cannot find it.
    resp = requests.get('%s/v2/lbaas/pools/%s/members' % (
        keystone_service.endpoint, pool['id']), headers={
        'X-Auth-Token': keystone_cloud.tokens['b_member']})
    assert resp.status_code == 403
    refused = b.run('loadbalancer', 'member', 'list', pool['id'], ok=False)
    assert 'Unable to locate' in refused.stderr
    assert b.json('loadbalancer', 'list') == []
    b.run('loadbalancer', 'delete', lb['id'], ok=False)
    assert a.json('loadbalancer', 'show', lb['id'])[
        'provisioning_status'] == 'ACTIVE'


def test_plugin_with_keystone_tokens(keystone_service, keystone_cloud):
    """The octavia-aa commands log in as the stock ones do: an admin
    reads the cluster, a member is refused it (the API's 403) and sees
    the faults of the objects of their own project only."""
    member = KeystoneCli(keystone_service.auth_url, 'a_member')
    admin = KeystoneCli(keystone_service.auth_url, 'a_member')
    admin.env.update(OS_USERNAME='admin', OS_PROJECT_NAME='admin',
                     OS_PASSWORD=keystone_cloud.keystone.admin_password)
    lb = member.json('loadbalancer', 'create', '--name', 'lb-osc',
                     '--vip-subnet-id', 'public-subnet', '--wait')
    (cluster,) = admin.json('loadbalancer', 'cluster', 'list',
                            '--loadbalancer', lb['id'])
    assert admin.json('loadbalancer', 'topology', 'show', lb['id'])[
        'cluster_id'] == cluster['id']
    refused = member.run('loadbalancer', 'cluster', 'list', ok=False)
    assert '(HTTP 403)' in refused.stderr
    assert [r['resource'] for r in member.json(
        'loadbalancer', 'fault', 'list', lb['id'], '--all')] == [
        'loadbalancer']
    member.run('loadbalancer', 'delete', lb['id'], '--wait')
