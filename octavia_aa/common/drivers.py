"""Load the configured drivers through stevedore, once per process."""
import functools

from stevedore import driver as stevedore_driver

from octavia_aa.common import config

CONF = config.CONF

NAMESPACES = {
    'compute': 'octavia_aa.compute.drivers',
    'network': 'octavia_aa.network.drivers',
    'amphora': 'octavia_aa.amphora.drivers',
    'distributor': 'octavia_aa.distributor.drivers',
}


@functools.lru_cache(maxsize=None)
def _load(kind, name):
    return stevedore_driver.DriverManager(
        namespace=NAMESPACES[kind], name=name,
        invoke_on_load=True).driver


def get(kind):
    """The driver of `kind` named by [controller_worker] <kind>_driver."""
    return _load(kind, getattr(CONF.controller_worker, kind + '_driver'))


def reset():
    _load.cache_clear()
