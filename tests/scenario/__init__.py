"""End-to-end scenarios: octavia-aa-all with the netns data plane, driven
by the real openstack CLI, with real traffic from a client namespace."""
