"""What a machine (amphora or distributor) needs at boot: its agent's
configuration file, its server certificate and key issued by the local
CA for its UUID, and the CA of the controller's client certificates.

The compute drivers deliver them: the netns driver writes them into the
machine's directory on this host, a VM gets them on its config drive
(octavia_aa.compute.config_drive) at the paths the image's systemd units
read (IMAGE_LAYOUTS).
"""
import dataclasses
import os

from octavia_aa.certificates import local as certs

AMPHORA = 'amphora'
DISTRIBUTOR = 'distributor'
KINDS = (AMPHORA, DISTRIBUTOR)


@dataclasses.dataclass(frozen=True)
class BootFile:
    path: str
    content: bytes
    mode: int = 0o600


@dataclasses.dataclass(frozen=True)
class Layout:
    """Where, on the machine, the agent finds its files and keeps its
    state.  None leaves the agent's default (log_file None: stderr, which
    systemd sends to the journal)."""
    config_file: str
    server_cert: str
    client_ca: str
    state: str = None          # amphora: state_dir; distributor: state_file
    run_dir: str = None
    log_file: str = None


# The image's units (elements/octavia-aa-*-agent) start the agent with
# this config file; the rest are the agents' own defaults.
IMAGE_LAYOUTS = {
    kind: Layout(config_file='/etc/octavia-aa/%s-agent.conf' % kind,
                 server_cert='/etc/octavia-aa/certs/server.pem',
                 client_ca='/etc/octavia-aa/certs/client_ca.pem')
    for kind in KINDS}


def directory_layout(directory, kind, run_dir=None):
    """Everything of one machine in ``directory`` (netns mode)."""
    return Layout(
        config_file=os.path.join(directory, 'agent.conf'),
        server_cert=os.path.join(directory, 'server.pem'),
        client_ca=os.path.join(directory, 'client_ca.pem'),
        state=os.path.join(directory, 'state' if kind == AMPHORA
                           else 'state.json'),
        run_dir=run_dir if kind == AMPHORA else os.path.join(directory,
                                                              'run'),
        log_file=os.path.join(directory, 'agent.log'))


def heartbeat_options(health, targets=None):
    """The agent's heartbeat group from the health manager's options
    (``targets`` replaces controller_ip_port_list when the agent reaches
    the health manager under other addresses)."""
    if targets is None:
        targets = health.controller_ip_port_list
    return {'controller_ip_port_list': ','.join(targets),
            'heartbeat_interval': health.heartbeat_interval,
            'heartbeat_key': health.heartbeat_key or ''}


def render_config(sections):
    """oslo.config INI text of {group: {option: value}}; None values are
    left out (the agent's default applies)."""
    out = []
    for group, values in sections.items():
        values = {k: v for k, v in values.items() if v is not None}
        if not values:
            continue
        out.append('[%s]\n' % group)
        out.extend('%s = %s\n' % (key, value) for key, value in
                   values.items())
        out.append('\n')
    return ''.join(out)


def agent_config(kind, entity_id, layout, agent_port, heartbeat,
                 bind_host='::', vrrp=None):
    """The agent's config file text.  vrrp: dict(interface, priority,
    virtual_router_id[, advert_int]) for a distributor of a pair."""
    agent = {'bind_host': bind_host, 'bind_port': agent_port,
             'agent_server_cert': layout.server_cert,
             'agent_server_ca': layout.client_ca}
    if kind == AMPHORA:
        sections = {
            'amphora_agent': dict({'amphora_id': entity_id}, **agent,
                                  state_dir=layout.state,
                                  run_dir=layout.run_dir),
            'amphora_health': heartbeat}
    elif kind == DISTRIBUTOR:
        sections = {
            'distributor_agent': dict({'distributor_id': entity_id},
                                      **agent, state_file=layout.state),
            'distributor_health': heartbeat,
            'distributor_vrrp': {'run_dir': layout.run_dir}}
        if vrrp:
            sections['distributor_vrrp'].update(
                enabled='true', interface=vrrp['interface'],
                priority=vrrp['priority'],
                virtual_router_id=vrrp['virtual_router_id'],
                advert_int=vrrp.get('advert_int'))
    else:
        raise ValueError('unknown machine kind %s' % kind)
    sections['DEFAULT'] = {'log_file': layout.log_file}
    return render_config(sections)


def machine_files(kind, entity_id, layout, ca_dir, agent_port, heartbeat,
                  bind_host='::', ip_addresses=(), vrrp=None):
    """[BootFile]: the server certificate+key (CN = entity id, IP SANs
    ``ip_addresses``), the client CA and the agent config, at the paths
    of ``layout``.  heartbeat: heartbeat_options(...)."""
    entity_id = str(entity_id)
    server = certs.agent_pem(ca_dir, entity_id, ip_addresses)
    with open(os.path.join(ca_dir, certs.CLIENT_CA + '.pem'), 'rb') as f:
        client_ca = f.read()
    config = agent_config(kind, entity_id, layout, agent_port, heartbeat,
                          bind_host=bind_host, vrrp=vrrp)
    return [BootFile(layout.server_cert, server, 0o600),
            BootFile(layout.client_ca, client_ca, 0o644),
            # It holds the heartbeat key.
            BootFile(layout.config_file, config.encode(), 0o600)]


def write(files):
    """Write each file atomically with its mode (netns mode: the
    machine's directory is on this host)."""
    for f in files:
        os.makedirs(os.path.dirname(f.path), mode=0o700, exist_ok=True)
        certs.write(f.path, f.content, private=f.mode & 0o077 == 0)
