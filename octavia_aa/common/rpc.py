"""oslo.messaging plumbing between the API and the worker.

The API only casts (fire and forget) after its DB transaction committed;
the worker reads everything it needs from the database, so payloads are
ids.  `fake://` (the embedded default) works inside one process, which is
what octavia-aa-all is; `rabbit://` works across processes.
"""
import threading

import oslo_messaging as messaging

from octavia_aa.common import config
from octavia_aa.common import constants as c

CONF = config.CONF
_lock = threading.Lock()
_transport = None
_client = None


def get_transport():
    global _transport
    with _lock:
        if _transport is None:
            _transport = messaging.get_rpc_transport(CONF)
        return _transport


def target(server=None):
    return messaging.Target(topic=c.RPC_TOPIC, namespace=c.RPC_NAMESPACE,
                            version=c.RPC_VERSION, server=server)


def get_client():
    global _client
    transport = get_transport()
    with _lock:
        if _client is None:
            _client = messaging.get_rpc_client(transport, target())
        return _client


def cast(method, **kwargs):
    get_client().cast({}, method, **kwargs)


def get_server(endpoints):
    return messaging.get_rpc_server(get_transport(), target(CONF.host),
                                    endpoints, executor='threading')


def reset():
    """Forget transport and client (tests switch transports)."""
    global _transport, _client
    with _lock:
        if _transport is not None:
            _transport.cleanup()
        _transport = _client = None
