"""What a netns machine runs: its agent's configuration, certificate and
state directory (one directory per machine under CONF.state_path)."""
import ipaddress
import os
import shutil
import sys

from octavia_aa.certificates import local as certs

AMPHORA = 'amphora'
RUN_BASE = '/run/octavia-aa-amphora'
DISTRIBUTOR = 'distributor'


def run_dir(entity_id):
    """Short directory for the agent's socket links."""
    return os.path.join(RUN_BASE, entity_id.replace('-', '')[:16])


def _heartbeat_targets(targets, gateway):
    """Where an agent in a namespace sends heartbeats: a loopback address
    names this host, which the namespace reaches at the management
    gateway (its own loopback is its own)."""
    out = []
    for target in targets:
        host, _, port = target.rpartition(':')
        host = host.strip('[]')
        if gateway and host and ipaddress.ip_address(host).is_loopback:
            host = gateway
        out.append('[%s]:%s' % (host, port) if ':' in host
                   else '%s:%s' % (host, port))
    return out


def write_files(directory, kind, entity_id, mgmt_ip, opts, health,
                vrrp=None, gateway=None):
    """Certificate (CN = entity id, IP SAN = management address), client
    CA and agent config; returns the config file path.  vrrp: dict(
    interface, priority, virtual_router_id) for a distributor of a
    pair."""
    os.makedirs(directory, mode=0o700, exist_ok=True)
    server_pem = os.path.join(directory, 'server.pem')
    certs.issue_agent(opts.ca_dir, entity_id, server_pem, [mgmt_ip])
    client_ca = os.path.join(directory, 'client_ca.pem')
    shutil.copyfile(os.path.join(opts.ca_dir, certs.CLIENT_CA + '.pem'),
                    client_ca)
    hb = {'controller_ip_port_list': ','.join(_heartbeat_targets(
              health.controller_ip_port_list, gateway)),
          'heartbeat_interval': health.heartbeat_interval,
          'heartbeat_key': health.heartbeat_key or ''}
    if kind == AMPHORA:
        sections = {
            'amphora_agent': {
                'amphora_id': entity_id, 'bind_host': mgmt_ip,
                'bind_port': opts.agent_port, 'agent_server_cert': server_pem,
                'agent_server_ca': client_ca,
                'state_dir': os.path.join(directory, 'state'),
                'run_dir': run_dir(entity_id)},
            'amphora_health': hb}
    else:
        sections = {
            'distributor_agent': {
                'distributor_id': entity_id, 'bind_host': mgmt_ip,
                'bind_port': opts.agent_port, 'agent_server_cert': server_pem,
                'agent_server_ca': client_ca,
                'state_file': os.path.join(directory, 'state.json')},
            'distributor_health': hb,
            'distributor_vrrp': {'run_dir': os.path.join(directory, 'run')}}
        if vrrp:
            sections['distributor_vrrp'].update(
                enabled='true', interface=vrrp['interface'],
                priority=vrrp['priority'],
                virtual_router_id=vrrp['virtual_router_id'],
                advert_int=opts.vrrp_advert_int)
    sections['DEFAULT'] = {'log_file': os.path.join(directory, 'agent.log')}
    path = os.path.join(directory, 'agent.conf')
    with open(path + '.tmp', 'w') as f:
        for group, values in sections.items():
            f.write('[%s]\n' % group)
            for key, value in values.items():
                f.write('%s = %s\n' % (key, value))
            f.write('\n')
    os.replace(path + '.tmp', path)
    return path


def command(kind, opts, config_file):
    exe = opts.amphora_agent if kind == AMPHORA else opts.distributor_agent
    # Next to our interpreter first: a venv's scripts are not always on
    # PATH (tests run .venv/bin/python directly).
    found = shutil.which(exe, path=os.path.dirname(sys.executable)) or \
        shutil.which(exe)
    return [found or exe, '--config-file', config_file]
