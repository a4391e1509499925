"""A port the network driver made, as the compute driver attaches it."""
import dataclasses


@dataclasses.dataclass(frozen=True)
class Port:
    """id, network_id, subnet_id, ip_address, mac_address, cidr, mtu,
    gateway: what Neutron would say of it.  device: the interface name
    inside the machine when the network driver decides it (netns), None
    for the image's own (eth0, ...).  binding: how the compute driver
    attaches it (netns: dict(bridge, host_device); Neutron: {}, Nova
    attaches the port by id)."""
    id: str
    network_id: str
    subnet_id: str
    ip_address: str
    mac_address: str
    cidr: str
    mtu: int = 1500
    gateway: str | None = None
    device: str | None = None
    binding: dict = dataclasses.field(default_factory=dict)
