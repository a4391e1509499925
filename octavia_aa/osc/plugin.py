"""The python-openstackclient extension hooks (`openstack.cli.extension`
entry point): the client our commands use, built on the CLI's session
and the load-balancer endpoint, as python-octaviaclient builds its own,
so Keystone and `OS_AUTH_TYPE=none OS_ENDPOINT=...` work alike."""
from osc_lib import utils

from octavia_aa.osc import amphora

API_NAME = 'octavia_aa'
API_VERSION_OPTION = 'os_octavia_aa_api_version'
DEFAULT_API_VERSION = '2'
API_VERSIONS = ('2',)

# The CLI imports every extension before it parses a command line: the
# stock `loadbalancer amphora list --role` learns our roles here.
amphora.accept_cluster_roles()


def make_client(instance):
    from octavia_aa.osc import client
    endpoint = instance.get_endpoint_for_service_type(
        'load-balancer', region_name=instance.region_name,
        interface=instance.interface)
    return client.Client(session=instance.session,
                         service_type='load-balancer', endpoint=endpoint)


def build_option_parser(parser):
    parser.add_argument(
        '--os-octavia-aa-api-version', metavar='<version>',
        default=utils.env('OS_OCTAVIA_AA_API_VERSION',
                          default=DEFAULT_API_VERSION),
        help='octavia-aa plugin API version, default=%s '
             '(Env: OS_OCTAVIA_AA_API_VERSION)' % DEFAULT_API_VERSION)
    return parser
