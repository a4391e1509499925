"""The openstack CLI plugin: octavia-aa's own resources (clusters,
distributors) and the fields upstream's client does not show (fault,
topology) under `openstack loadbalancer`."""
