"""openstack loadbalancer topology show: how a load balancer is built
(its topology, which the stock client does not show, its fault, and for
ACTIVE_ACTIVE its cluster's sizes, distributor and amphorae)."""
from osc_lib.command import command

from octavia_aa.osc import common

ROWS = ('id', 'name', 'topology', 'provisioning_status',
        'operating_status', 'fault', 'flavor_id', 'cluster_id',
        'desired_size', 'min_size', 'standby_count', 'distributor_id',
        'amphorae')


class ShowTopology(command.ShowOne):
    """Show how a load balancer is built: its topology, fault, and (for
    ACTIVE_ACTIVE) its cluster's sizes, distributor and amphorae"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('loadbalancer', metavar='<loadbalancer>',
                            help='Load balancer (name or ID).')
        return parser

    def take_action(self, parsed_args):
        client = common.client(self.app)
        lb = dict(dict.fromkeys(ROWS), **client.lookup(
            'loadbalancer', parsed_args.loadbalancer))
        clusters = common.admin_only(lambda: client.list_all(
            'cluster', loadbalancer_id=lb['id']))
        if clusters:
            cl = clusters[0]
            lb.update({k: cl.get(k) for k in (
                'desired_size', 'min_size', 'standby_count',
                'distributor_id', 'amphorae')}, cluster_id=cl['id'])
        else:
            lb['amphorae'] = [
                {'id': a['id'], 'role': a['role'], 'status': a['status']}
                for a in common.admin_only(lambda: client.list_all(
                    'amphora', loadbalancer_id=lb['id']))]
        return common.show(lb, ROWS)


