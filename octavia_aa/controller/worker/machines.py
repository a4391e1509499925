"""The machine under an amphora or a distributor, for any compute
driver: the controller makes its management port (network driver), its
boot files (agent configuration, certificate issued by the local CA for
the entity id and management address) and its spec, then asks the
compute driver to build it; delete undoes both drivers' parts.  Drivers
read no database and none of each other's options: what they need is in
the spec."""
import contextlib
import datetime
import fcntl
import ipaddress
import os
import typing

from octavia_aa.amphorae.drivers import rest_opts
from octavia_aa.certificates import local as certs
from octavia_aa.common import config
from octavia_aa.common import drivers
from octavia_aa.compute import boot_files
from octavia_aa.compute import boot_opts
from octavia_aa.compute import spec as spec_mod
from octavia_aa.distributor.drivers import rest_opts as dist_client

CONF = config.CONF
AMPHORA = spec_mod.AMPHORA
DISTRIBUTOR = spec_mod.DISTRIBUTOR
ANTI_AFFINITY = 'anti-affinity'


@contextlib.contextmanager
def _host_lock(path):
    """Every controller process on this host: split-mode workers starting
    together would otherwise each make their own CAs (or bridges)."""
    os.makedirs(os.path.dirname(path), mode=0o700, exist_ok=True)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)           # also releases the flock


def prepare(conf=CONF):
    """The data plane's set-up on start (idempotent): when machines get
    boot files, the local CAs with the controller's client certificates
    (the REST drivers present them); then the network driver's (netns:
    the management bridge) and the compute driver's (netns: agent
    supervision)."""
    compute = drivers.get('compute')
    ca_dir = boot_opts.register_opts(conf).ca_dir
    with _host_lock(os.path.abspath(ca_dir) + '.lock'):
        if compute.delivers_boot_files:
            dist_cert = _client_opts(conf).client_cert
            for client_pem in sorted({
                    rest_opts.register_opts(conf).client_cert, dist_cert}):
                certs.ensure_local_pki(ca_dir, client_pem)
        drivers.get('network').prepare()
    compute.prepare()


def _client_opts(conf):
    return dist_client.register_opts(conf)


def agent_port(kind, conf=CONF):
    """Where the controller talks to the agent of `kind`, so where it
    must listen."""
    if kind == spec_mod.AMPHORA:
        return rest_opts.register_opts(conf).agent_port
    return _client_opts(conf).agent_port


def heartbeat_targets(targets, gateway):
    """Where an agent sends heartbeats: a loopback address names the
    controller's host, which a machine reaches at its management gateway
    (its own loopback is its own)."""
    out = []
    for target in targets:
        host, _, port = target.rpartition(':')
        host = host.strip('[]')
        if gateway and host and ipaddress.ip_address(host).is_loopback:
            host = gateway
        out.append('[%s]:%s' % (host, port) if ':' in host
                   else '%s:%s' % (host, port))
    return out


def boot_files_for(compute, kind, entity_id, port, vrrp=None, conf=CONF):
    """[BootFile] of a machine whose management port is `port`, at the
    paths of the compute driver's boot_layout.  vrrp: dict(priority,
    virtual_router_id) for a distributor of a VRRP pair (its adverts go
    over the management network, which both members share)."""
    opts = boot_opts.register_opts(conf)
    health = conf.health_manager
    heartbeat = boot_files.heartbeat_options(health, heartbeat_targets(
        health.controller_ip_port_list, port.gateway))
    if vrrp:
        vrrp = dict(vrrp, interface=port.device,
                    advert_int=opts.vrrp_advert_int)
    return boot_files.machine_files(
        kind, entity_id, compute.boot_layout(kind, entity_id), opts.ca_dir,
        agent_port(kind, conf), heartbeat, bind_host=port.ip_address,
        ip_addresses=[port.ip_address], vrrp=vrrp)


def build(*args, **kwargs):
    """Build the machine; returns its compute id (see build_machine)."""
    return build_machine(*args, **kwargs).compute_id


class Built(typing.NamedTuple):
    compute_id: str
    # When the agent's server certificate expires (None: the compute
    # driver delivers no boot files, so no certificate of ours).
    cert_expiration: datetime.datetime | None


def build_machine(kind, entity_id, name=None, availability_zone=None,
                  server_group_id=None, compute_flavor=None, image_tag=None,
                  vrrp=None, compute=None, network=None):
    """Build the machine; returns Built.  Whatever failed half way is
    undone (the port, and the compute driver cleans up its own).
    compute/network: the drivers (default: the configured ones)."""
    entity_id = str(entity_id)
    compute = compute or drivers.get('compute')
    network = network or drivers.get('network')
    port = network.create_management_port(kind, entity_id,
                                          availability_zone)
    try:
        files = (boot_files_for(compute, kind, entity_id, port, vrrp)
                 if compute.delivers_boot_files else [])
        compute_id = compute.build(spec_mod.MachineSpec(
            name=name or '%s-%s' % (kind, entity_id), kind=kind,
            entity_id=entity_id, ports=(port,), boot_files=tuple(files),
            agent_port=agent_port(kind), image_tag=image_tag,
            compute_flavor=compute_flavor,
            availability_zone=availability_zone,
            server_group_id=server_group_id))
    except Exception:
        network.delete_management_port(entity_id)
        raise
    # files[0]: the server certificate (boot_files.machine_files).
    return Built(compute_id,
                 certs.expiration(files[0].content) if files else None)


def server_cert(entity_id, lb_network_ip, conf=CONF):
    """A new server certificate+key PEM for the agent of `entity_id` (as at
    boot: CN = its id, IP SAN = its management address), and when it
    expires."""
    pem = certs.agent_pem(boot_opts.register_opts(conf).ca_dir,
                          str(entity_id),
                          [lb_network_ip] if lb_network_ip else [])
    return pem, certs.expiration(pem)


def delete(entity_id, compute_id=None, compute=None, network=None):
    """The machine (when it has a compute id) and its management port;
    idempotent."""
    if compute_id:
        (compute or drivers.get('compute')).delete(compute_id)
    (network or drivers.get('network')).delete_management_port(
        str(entity_id))


def create_server_group(load_balancer_id):
    """The anti-affinity group of a cluster's amphorae; returns its id."""
    return drivers.get('compute').create_server_group(
        'octavia-lb-%s' % load_balancer_id, ANTI_AFFINITY)


def delete_server_group(server_group_id):
    if server_group_id:
        drivers.get('compute').delete_server_group(server_group_id)
