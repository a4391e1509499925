"""Options of the certificate managers and of the service user that reads
users' secrets ([service_auth], keystoneauth's own options)."""
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'certificates'
AUTH_GROUP = 'service_auth'

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


def register_auth_opts(conf=cfg.CONF):
    if AUTH_GROUP not in conf or 'auth_type' not in conf[AUTH_GROUP]:
        ks_loading.register_auth_conf_options(conf, AUTH_GROUP)
        ks_loading.register_session_conf_options(conf, AUTH_GROUP)
        # keystoneauth registers a plugin's options when it loads it; the
        # password plugin's are registered now so that they can be set
        # before (tests, and tools that write a config).
        conf.register_opts(ks_loading.get_auth_plugin_conf_options(
            'password'), group=AUTH_GROUP)
    return conf[AUTH_GROUP]


def list_opts():
    auth = (ks_loading.get_session_conf_options() +
            ks_loading.get_auth_common_conf_options() +
            ks_loading.get_auth_plugin_conf_options('password'))
    return [(GROUP, list(opts)), (AUTH_GROUP, auth)]
