"""What a netns machine runs: its agent, with its configuration,
certificate and state in one directory per machine under
CONF.state_path (the controller makes the files, this driver writes
them there)."""
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


def layout(directory, kind, entity_id):
    """Where the agent of a netns machine finds its files."""
    return boot_files.directory_layout(directory, kind, run_dir(entity_id))


def command(kind, opts, config_file):
    exe = opts.amphora_agent if kind == AMPHORA else opts.distributor_agent
    # Next to our interpreter first: a venv's scripts are not always on
    # PATH (tests run .venv/bin/python directly).
    found = shutil.which(exe, path=os.path.dirname(sys.executable)) or \
        shutil.which(exe)
    return [found or exe, '--config-file', config_file]
