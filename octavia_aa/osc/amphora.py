"""`openstack loadbalancer amphora list --role`: the stock command offers
only MASTER, BACKUP and STANDALONE; octavia-aa's clusters add IN_CLUSTER
and IN_CLUSTER_STANDBY, which the API filters on like the others."""
import logging

LOG = logging.getLogger(__name__)

CLUSTER_ROLES = ('IN_CLUSTER', 'IN_CLUSTER_STANDBY')


def _widen(parser):
    for action in parser._actions:
        if action.dest == 'role' and action.choices is not None:
            action.choices = set(action.choices) | set(CLUSTER_ROLES)
            action.metavar = '{%s}' % ','.join(sorted(action.choices))
            return True
    return False


def accept_cluster_roles():
    """Wrap the stock command's parser (python-octaviaclient has no hook
    for it); a client whose command no longer looks as expected is left
    as it is, with a debug line, rather than broken."""
    try:
        from octaviaclient.osc.v2 import amphora
    except ImportError:
        return
    cls = amphora.ListAmphora
    if getattr(cls, '_octavia_aa_roles', False):
        return
    stock = cls.get_parser

    def get_parser(self, prog_name):
        parser = stock(self, prog_name)
        if not _widen(parser):
            LOG.debug('amphora list has no --role choices to extend')
        return parser

    cls.get_parser = get_parser
    cls._octavia_aa_roles = True
