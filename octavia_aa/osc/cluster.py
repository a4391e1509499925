"""openstack loadbalancer cluster list/show/set: the amphora clusters of
ACTIVE_ACTIVE load balancers (/v2/octavia/clusters, admin)."""
from octaviaclient.api.v2 import octavia
from osc_lib import exceptions
from osc_lib.command import command

from octavia_aa.osc import common

COLUMNS = ('id', 'loadbalancer_id', 'provisioning_status',
           'operating_status', 'desired_size', 'min_size', 'standby_count')
ROWS = ('id', 'cluster_name', 'loadbalancer_id', 'cluster_type',
        'provisioning_status', 'operating_status', 'enabled',
        'desired_size', 'min_size', 'standby_count', 'cooldown',
        'last_resized_at', 'cooldown_ends_at', 'pending_resize',
        'affinity', 'distributor_id', 'amphorae',
        'fault', 'created_at', 'updated_at')
# option dest: API field (what PUT /v2/octavia/clusters/{id} accepts).
SETTABLE = ('desired_size', 'min_size', 'standby_count', 'cooldown')


def find(client, value):
    """A cluster by its id, or by its load balancer's name or id (what an
    operator knows), or by its cluster_name."""
    try:
        lb = client.lookup('loadbalancer', value)
    except (octavia.OctaviaClientException, exceptions.CommandError):
        return client.lookup('cluster', value, name_attr='cluster_name')
    found = client.list_all('cluster', loadbalancer_id=lb['id'])
    if not found:
        raise exceptions.CommandError(
            'Load balancer %s is %s: only ACTIVE_ACTIVE load balancers have '
            'a cluster.' % (lb['id'], lb.get('topology')))
    return found[0]


def _cluster_arg(parser):
    parser.add_argument(
        'cluster', metavar='<cluster>',
        help='Cluster (ID or name), or its load balancer (name or ID).')


class ListCluster(command.Lister):
    """List the amphora clusters of ACTIVE_ACTIVE load balancers"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--loadbalancer', metavar='<loadbalancer>',
                            help='Only the cluster of this load balancer '
                                 '(name or ID).')
        parser.add_argument('--provisioning-status', metavar='<status>',
                            type=str.upper,
                            help='Only clusters in this status.')
        parser.add_argument('--long', action='store_true',
                            help='Show every field.')
        return parser

    def take_action(self, parsed_args):
        client = common.client(self.app)
        filters = {}
        if parsed_args.loadbalancer:
            filters['loadbalancer_id'] = client.lookup(
                'loadbalancer', parsed_args.loadbalancer)['id']
        if parsed_args.provisioning_status:
            filters['provisioning_status'] = parsed_args.provisioning_status
        return common.listing(client.list_all('cluster', **filters),
                              ROWS if parsed_args.long else COLUMNS)


class ShowCluster(command.ShowOne):
    """Show an amphora cluster: sizes, cooldown, amphorae, fault"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _cluster_arg(parser)
        return parser

    def take_action(self, parsed_args):
        return common.show(find(common.client(self.app),
                                parsed_args.cluster), ROWS)


class SetCluster(command.ShowOne):
    """Resize an amphora cluster (refused while it cools down)"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _cluster_arg(parser)
        parser.add_argument('--desired-size', type=int, metavar='<n>',
                            help='Amphorae that serve the VIP.')
        parser.add_argument('--min-size', type=int, metavar='<n>',
                            help='Below this many the cluster is DOWN '
                                 '(the load balancer ERROR).')
        parser.add_argument('--standby-count', type=int, metavar='<n>',
                            help='Standby amphorae (the "+1") that take '
                                 'over a failed one\'s flows.')
        parser.add_argument('--cooldown', type=int, metavar='<seconds>',
                            help='Seconds after a resize before the next.')
        common.add_wait(parser, 'the cluster is ACTIVE again')
        return parser

    def take_action(self, parsed_args):
        values = {k: getattr(parsed_args, k) for k in SETTABLE
                  if getattr(parsed_args, k) is not None}
        if not values:
            raise exceptions.CommandError(
                'Nothing to set: give --desired-size, --min-size, '
                '--standby-count or --cooldown.')
        client = common.client(self.app)
        cluster_id = find(client, parsed_args.cluster)['id']
        cluster = client.change('cluster', cluster_id, values)
        if parsed_args.wait:
            cluster = common.wait_for(
                lambda: client.fetch('cluster', cluster_id),
                'provisioning_status')
        return common.show(cluster, ROWS)
