"""What a netns machine runs: its agent's configuration, certificate and
state directory (one directory per machine under CONF.state_path)."""
import ipaddress
import os
import shutil
import sys

from octavia_aa.compute import boot_files

AMPHORA = boot_files.AMPHORA
RUN_BASE = '/run/octavia-aa-amphora'
DISTRIBUTOR = boot_files.DISTRIBUTOR


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
    layout = boot_files.directory_layout(directory, kind, run_dir(entity_id))
    if vrrp:
        vrrp = dict(vrrp, advert_int=opts.vrrp_advert_int)
    heartbeat = boot_files.heartbeat_options(health, _heartbeat_targets(
        health.controller_ip_port_list, gateway))
    boot_files.write(boot_files.machine_files(
        kind, entity_id, layout, opts.ca_dir, opts.agent_port, heartbeat,
        bind_host=mgmt_ip, ip_addresses=[mgmt_ip], vrrp=vrrp))
    return layout.config_file


def command(kind, opts, config_file):
    exe = opts.amphora_agent if kind == AMPHORA else opts.distributor_agent
    # Next to our interpreter first: a venv's scripts are not always on
    # PATH (tests run .venv/bin/python directly).
    found = shutil.which(exe, path=os.path.dirname(sys.executable)) or \
        shutil.which(exe)
    return [found or exe, '--config-file', config_file]
