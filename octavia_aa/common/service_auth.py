"""The service user octavia-aa acts as towards other OpenStack services
([service_auth], keystoneauth's own options): Barbican for users'
certificates, Nova, Neutron and Glance for machines."""
from keystoneauth1 import loading as ks_loading
from oslo_config import cfg

GROUP = 'service_auth'


def register_opts(conf=cfg.CONF):
    """auth_type and the session's options; keystoneauth registers the
    chosen plugin's own options (auth_url, username, ...) when it loads
    it."""
    if GROUP not in conf or 'auth_type' not in conf[GROUP]:
        ks_loading.register_auth_conf_options(conf, GROUP)
        ks_loading.register_session_conf_options(conf, GROUP)
    return conf[GROUP]


def register_plugin_opts(conf=cfg.CONF, plugin='password'):
    """The options of auth plugin `plugin`, so that they can be set
    before it is loaded (tests, tools that write a config).  Not done
    by register_opts: some are required, and a configuration that
    parses them without using them would then be refused."""
    register_opts(conf)
    conf.register_opts(ks_loading.get_auth_plugin_conf_options(plugin),
                       group=GROUP)


def auth(conf=cfg.CONF):
    """The keystoneauth plugin of [service_auth]."""
    register_opts(conf)
    return ks_loading.load_auth_from_conf_options(conf, GROUP)


def session(conf=cfg.CONF):
    """A keystoneauth session as the service user."""
    register_opts(conf)
    return ks_loading.load_session_from_conf_options(conf, GROUP,
                                                     auth=auth(conf))


def list_opts():
    return [(GROUP, ks_loading.get_session_conf_options() +
             ks_loading.get_auth_common_conf_options() +
             ks_loading.get_auth_plugin_conf_options('password'))]
