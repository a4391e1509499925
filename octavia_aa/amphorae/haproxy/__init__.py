"""HAProxy configuration of a load balancer, rendered on the controller."""
