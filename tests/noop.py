"""The noop data plane, for tests about the control plane only (the
embedded default is the netns data plane)."""

DRIVERS = {'compute_driver': 'compute_noop_driver',
           'network_driver': 'network_noop_driver',
           'amphora_driver': 'amphora_noop_driver',
           'distributor_driver': 'distributor_noop_driver'}

CONF_SECTION = '[controller_worker]\n' + ''.join(
    '%s = %s\n' % item for item in DRIVERS.items())
