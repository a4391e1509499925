"""The noop data plane, for tests about the control plane only (the
embedded default is the netns data plane)."""

DRIVERS = {'compute_driver': 'compute_noop_driver',
           'network_driver': 'network_noop_driver',
           'amphora_driver': 'amphora_noop_driver',
           'distributor_driver': 'distributor_noop_driver'}

# (option, value, group), for oslo.config overrides.
OVERRIDES = [(name, value, 'controller_worker')
             for name, value in DRIVERS.items()] + [
    ('cert_manager', 'noop_cert_manager', 'certificates')]

# For config files: [controller_worker] last, since callers append more
# of its options.
CONF_SECTION = '[certificates]\ncert_manager = noop_cert_manager\n' \
    '[controller_worker]\n' + ''.join(
        '%s = %s\n' % item for item in DRIVERS.items())
