"""What a compute driver is asked to build: one machine, described whole.

The controller makes everything in it before the driver is called: the
ports (by the network driver), the boot files (agent configuration and
certificates, octavia_aa.controller.worker.machines), the server group.
A driver only turns the spec into a machine: the netns driver into a
namespace on this host, a Nova driver into a server (image by tag,
flavor, availability zone, scheduler hint for the server group, ports by
id, boot files on the config drive).
"""
import dataclasses

from octavia_aa.compute import boot_files
from octavia_aa.network import ports

Port = ports.Port
AMPHORA = boot_files.AMPHORA
DISTRIBUTOR = boot_files.DISTRIBUTOR
KINDS = boot_files.KINDS


@dataclasses.dataclass(frozen=True)
class MachineSpec:
    """name: the machine's name (amphora-<id>, distributor-<id>).
    kind: AMPHORA or DISTRIBUTOR.  entity_id: the amphora or distributor
    id (the agent's certificate CN).  image_tag / compute_flavor: from the
    load balancer's flavor profile or [controller_worker] (None: the
    driver's default).  availability_zone: the data of the zone profile
    (compute_zone, management_network, ...), or None.  server_group_id:
    from create_server_group (anti-affinity within one cluster), or None.
    ports: octavia_aa.network.ports.Port, the management port first.
    boot_files: BootFile (at the
    paths of the driver's boot_layout).  agent_port: where the agent
    listens (wait_active waits for it)."""
    name: str
    kind: str
    entity_id: str
    ports: tuple = ()
    boot_files: tuple = ()
    agent_port: int = 9443
    image_tag: str | None = None
    compute_flavor: str | None = None
    availability_zone: dict | None = None
    server_group_id: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError('unknown machine kind %s' % self.kind)
