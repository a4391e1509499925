"""The controller's side of a booted machine (QEMU or Nova): its REST
driver over mutual TLS, waiting for the agent to answer, checking that
strangers are refused, and waiting for the machine's heartbeat on a real
health-manager socket."""
import os
import time

from oslo_config import cfg
import pytest
import requests

from octavia_aa.amphorae.drivers import rest as amp_rest
from octavia_aa.amphorae.drivers import rest_opts
from octavia_aa.certificates import local as certs
from octavia_aa.certificates import tls
from octavia_aa.distributor.drivers import rest as dist_rest
from octavia_aa.distributor.drivers import rest_opts as dist_config

AGENT_PORT = 9443


def make_pki(ca_dir):
    """(CA directory, controller's client certificate): the local CAs
    and the controller's certificate, as the all-in-one makes them."""
    controller = os.path.join(ca_dir, 'controller.pem')
    certs.ensure_local_pki(ca_dir, controller)
    return ca_dir, controller


def client_conf(ca_dir, controller, agent_port=AGENT_PORT):
    """Both REST drivers' client options: the controller's certificate,
    the CA of the agents' server certificates, no retries (the caller
    polls)."""
    conf = cfg.ConfigOpts()
    for group, opts in ((rest_opts.GROUP, rest_opts.client_opts),
                        (dist_config.GROUP, dist_config.client_opts)):
        conf.register_opts(opts, group=group)
        conf.set_override('client_cert', controller, group)
        conf.set_override('server_ca', os.path.join(
            ca_dir, certs.SERVER_CA + '.pem'), group)
        conf.set_override('agent_port', agent_port, group)
        conf.set_override('connect_timeout', 3.0, group)
        conf.set_override('connection_max_retries', 0, group)
    conf([])
    return conf


def driver(kind, conf):
    """The controller's REST driver of an amphora or a distributor."""
    if kind == 'amphora':
        return amp_rest.RestAmphoraDriver(conf)
    return dist_rest.RestDistributorDriver(conf)


def wait_for_agent(drv, entity, deadline, alive=lambda: True):
    """The agent's /info once it answers over mutual TLS, None when
    ``deadline`` (monotonic) passes or ``alive()`` turns false first."""
    while time.monotonic() < deadline and alive():
        try:
            return drv.get_info(entity)
        except requests.exceptions.SSLError as exc:
            # A certificate refused is a failure now, not a wait (an
            # agent still starting closes the connection: EOF).
            if 'EOF' not in str(exc):
                raise
        except requests.exceptions.ConnectionError:
            pass                  # not up yet: refused, unreachable
        time.sleep(1)
    return None


def refuses_strangers(tmp_path, ca_dir, controller, entity_id, ip,
                      port=AGENT_PORT):
    """Mutual TLS both ways: the agent answers no client without a
    certificate or with one from another CA, and the controller's client
    refuses the agent when it expects another machine's name."""
    other = str(tmp_path / 'other-ca')
    certs.init_cas(other)
    stranger = str(tmp_path / 'stranger.pem')
    certs.issue_controller(other, stranger)
    url = 'https://%s:%d/v1/info' % (ip, port)
    server_ca = os.path.join(ca_dir, certs.SERVER_CA + '.pem')
    for client_cert in (None, stranger):
        session = tls.pinned_session(entity_id, client_cert, server_ca)
        with pytest.raises(requests.exceptions.RequestException):
            session.get(url, timeout=10)
    # The right client, the wrong machine: the name pinning refuses it.
    session = tls.pinned_session('not-%s' % entity_id, controller, server_ca)
    with pytest.raises(requests.exceptions.SSLError):
        session.get(url, timeout=10)


def wait_for_heartbeat(receiver, entity_id, timeout=30):
    """(message, source address) of the first heartbeat of ``entity_id``
    that ``receiver`` (heartbeat.HeartbeatReceiver) verified with its key;
    None after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        got = receiver.receive(timeout=1)
        if got and got[0].get('id') == entity_id:
            return got
    return None
