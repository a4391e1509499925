"""openstack loadbalancer distributor create/list/show/delete/failover
(/v2/octavia/distributors, admin)."""
from octaviaclient.api.v2 import octavia
from osc_lib import exceptions
from osc_lib.command import command

from octavia_aa.osc import common

COLUMNS = ('id', 'name', 'status', 'role', 'peer_id', 'lb_network_ip')
ROWS = ('id', 'name', 'status', 'role', 'peer_id', 'lb_network_ip',
        'vrrp_ip', 'compute_id', 'max_load_balancers', 'load_balancers',
        'cert_expiration', 'fault', 'created_at', 'updated_at')
ROLES = ('STANDALONE', 'MASTER', 'BACKUP')


def _distributor_arg(parser, nargs=None):
    parser.add_argument('distributor', metavar='<distributor>', nargs=nargs,
                        help='Distributor (name or ID).')


def _wait_gone(client, distributor_id):
    def get():
        try:
            return client.fetch('distributor', distributor_id)
        except octavia.OctaviaClientException as e:
            if e.code == 404:
                return {'id': distributor_id, 'status': 'DELETED'}
            raise
    common.wait_for(get, 'status', done=('DELETED',))


class CreateDistributor(command.ShowOne):
    """Create a distributor (for a VRRP pair: the BACKUP first, then the
    MASTER with --peer)"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--name', metavar='<name>',
                            help='Name of the distributor.')
        parser.add_argument('--role', choices=ROLES, type=str.upper,
                            help='STANDALONE (default), or MASTER or '
                                 'BACKUP of a VRRP pair.')
        parser.add_argument('--peer', metavar='<distributor>',
                            help='The other distributor of the pair (name '
                                 'or ID).')
        parser.add_argument('--lb-network-ip', metavar='<ip>',
                            help='Its address on the management network '
                                 '(else the compute driver\'s).')
        parser.add_argument('--max-load-balancers', type=int, metavar='<n>',
                            help='Load balancers it may serve.')
        common.add_wait(parser)
        return parser

    def take_action(self, parsed_args):
        client = common.client(self.app)
        values = {k: getattr(parsed_args, k) for k in (
            'name', 'role', 'lb_network_ip', 'max_load_balancers')
            if getattr(parsed_args, k) is not None}
        if parsed_args.peer:
            values['peer_id'] = client.lookup('distributor',
                                            parsed_args.peer)['id']
        dist = client.add('distributor', values)
        if parsed_args.wait:
            dist = common.wait_for(
                lambda: client.fetch('distributor', dist['id']), 'status')
        return common.show(dist, ROWS)


class ListDistributor(command.Lister):
    """List distributors"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        parser.add_argument('--status', metavar='<status>', type=str.upper,
                            help='Only distributors in this status.')
        parser.add_argument('--role', choices=ROLES, type=str.upper,
                            help='Only distributors of this role.')
        parser.add_argument('--long', action='store_true',
                            help='Show every field.')
        return parser

    def take_action(self, parsed_args):
        filters = {k: getattr(parsed_args, k) for k in ('status', 'role')
                   if getattr(parsed_args, k)}
        return common.listing(
            common.client(self.app).list_all('distributor', **filters),
            ROWS if parsed_args.long else COLUMNS)


class ShowDistributor(command.ShowOne):
    """Show a distributor"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _distributor_arg(parser)
        return parser

    def take_action(self, parsed_args):
        return common.show(common.client(self.app).lookup(
            'distributor', parsed_args.distributor), ROWS)


class DeleteDistributor(command.Command):
    """Delete distributors (refused while one serves a load balancer)"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _distributor_arg(parser, nargs='+')
        common.add_wait(parser, 'they are gone')
        return parser

    def take_action(self, parsed_args):
        client = common.client(self.app)
        failed = []
        deleted = []
        for value in parsed_args.distributor:
            try:
                dist_id = client.lookup('distributor', value)['id']
                client.remove('distributor', dist_id)
                deleted.append(dist_id)
            except (octavia.OctaviaClientException,
                    exceptions.CommandError) as e:
                self.app.stderr.write('%s: %s\n' % (value, e))
                failed.append(value)
        if parsed_args.wait:
            for dist_id in deleted:
                _wait_gone(client, dist_id)
        if failed:
            raise exceptions.CommandError(
                '%d of %d distributors not deleted.'
                % (len(failed), len(parsed_args.distributor)))


class FailoverDistributor(command.Command):
    """Rebuild a distributor's machine (same ID, role and pair) and give
    it back its VIPs and amphora registrations"""

    def get_parser(self, prog_name):
        parser = super().get_parser(prog_name)
        _distributor_arg(parser)
        common.add_wait(parser, 'it is ACTIVE again')
        return parser

    def take_action(self, parsed_args):
        client = common.client(self.app)
        dist_id = client.lookup('distributor', parsed_args.distributor)['id']
        client.act('distributor', dist_id, 'failover')
        if parsed_args.wait:
            common.wait_for(lambda: client.fetch('distributor', dist_id),
                            'status')
