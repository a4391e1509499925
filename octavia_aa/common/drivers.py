"""Load the configured drivers through stevedore, once per process."""
import threading

from stevedore import driver as stevedore_driver

from octavia_aa.common import config

CONF = config.CONF

NAMESPACES = {
    'compute': 'octavia_aa.compute.drivers',
    'network': 'octavia_aa.network.drivers',
    'amphora': 'octavia_aa.amphora.drivers',
    'distributor': 'octavia_aa.distributor.drivers',
    'cert_manager': 'octavia_aa.cert_managers',
}

# Parallel flow threads ask for a driver at the same moment; stevedore's
# entry-point cache is not safe to build from two threads at once (one of
# them may see no entry points), so loading is serialized.
_lock = threading.Lock()
_loaded = {}


def _name(kind):
    if kind == 'cert_manager':
        from octavia_aa.certificates.managers import opts
        return opts.register_opts(CONF).cert_manager
    return getattr(CONF.controller_worker, kind + '_driver')


def get(kind):
    """The driver of `kind` named by [controller_worker] <kind>_driver
    (the certificate manager by [certificates] cert_manager)."""
    name = _name(kind)
    key = (kind, name)
    driver = _loaded.get(key)
    if driver is None:
        with _lock:
            driver = _loaded.get(key)
            if driver is None:
                driver = stevedore_driver.DriverManager(
                    namespace=NAMESPACES[kind], name=name,
                    invoke_on_load=True).driver
                _loaded[key] = driver
    return driver


def reset():
    with _lock:
        _loaded.clear()
