"""openstack loadbalancer fault list: every object of octavia-aa that can
go to ERROR says why in its `fault` field, which the stock client's fixed
columns hide; this reads it for a load balancer and all under it."""
from osc_lib.command import command

from octavia_aa.osc import common

FAULT_COLUMNS = ('resource', 'id', 'name', 'status', 'operating_status',
                 'fault')


def tree(client, lb):
    """(resource, object) for the load balancer and everything under it
    the caller may read, parents first."""
    lb_id = lb['id']
    yield 'loadbalancer', lb
    clusters = common.admin_only(lambda: client.list_all(
        'cluster', loadbalancer_id=lb_id))
    for cl in clusters:
        yield 'cluster', cl
    for amp in common.admin_only(lambda: client.list_all(
            'amphora', loadbalancer_id=lb_id)):
        yield 'amphora', amp
    for cl in clusters:
        if cl.get('distributor_id'):
            yield 'distributor', client.fetch('distributor',
                                            cl['distributor_id'])
    for listener in client.list_all('listener', loadbalancer_id=lb_id):
        yield 'listener', listener
        for policy in client.list_all('l7policy',
                                      listener_id=listener['id']):
            yield 'l7policy', policy
            for rule in client.list_all(
                    'rules', path='/lbaas/l7policies/%s/rules'
                    % policy['id']):
                yield 'l7rule', rule
    for pool in client.list_all('pool', loadbalancer_id=lb_id):
        yield 'pool', pool
        if pool.get('healthmonitor_id'):
            yield 'healthmonitor', client.fetch('healthmonitor',
                                              pool['healthmonitor_id'])
        for member in client.list_all(
                'members', path='/lbaas/pools/%s/members' % pool['id']):
            yield 'member', member


def _row(resource, obj):
    return (resource, obj['id'],
            obj.get('name', obj.get('cluster_name')),
            obj.get('provisioning_status', obj.get('status')),
            obj.get('operating_status'), obj.get('fault'))


class ListFault(command.Lister):
    """List the faults of a load balancer and of everything under it
    (why an object went to ERROR)"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('loadbalancer', metavar='<loadbalancer>',
                            help='Load balancer (name or ID).')
        parser.add_argument('--all', action='store_true',
                            help='List every object, also those with no '
                                 'fault and not in ERROR.')
        return parser

    def take_action(self, parsed_args):
        client = common.client(self.app)
        lb = client.lookup('loadbalancer', parsed_args.loadbalancer)
        rows = [_row(resource, obj) for resource, obj in tree(client, lb)]
        if not parsed_args.all:
            rows = [r for r in rows if r[5] or 'ERROR' in (r[3], r[4])]
        return FAULT_COLUMNS, rows
