"""Options of the certificate managers ([certificates]); the service user
that reads users' secrets is octavia_aa.common.service_auth's."""
from oslo_config import cfg

from octavia_aa.common import service_auth

GROUP = 'certificates'

opts = [
    cfg.StrOpt('cert_manager', default='local_cert_manager',
               help='Where TLS container references of listeners and '
                    'pools are resolved: local_cert_manager (PEM files in '
                    'certificate_store on the controller), '
                    'castellan_cert_manager (secrets in Barbican, or the '
                    'castellan backend set in [key_manager], read as the '
                    '[service_auth] user), noop_cert_manager (every '
                    'reference is a throwaway self-signed certificate).'),
    cfg.StrOpt('certificate_store', default='$state_path/certificates',
               deprecated_opts=[cfg.DeprecatedOpt(
                   'certificate_store', group='amphora_agent_client')],
               help='local_cert_manager: a reference R names the PEM file '
                    'R (or R.pem) in this directory; a bundle holds the '
                    'certificate, its key and any intermediates.'),
]


def register_opts(conf=cfg.CONF):
    if GROUP not in conf or 'cert_manager' not in conf[GROUP]:
        conf.register_opts(opts, group=GROUP)
    return conf[GROUP]


def list_opts():
    return [(GROUP, list(opts))] + service_auth.list_opts()
