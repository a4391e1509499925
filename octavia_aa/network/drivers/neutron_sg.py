"""The security groups the Neutron network driver puts on the ports it
makes, kept to what each port must accept:

- one per load balancer (`octavia-aa-lb-<id>`), on its amphorae's
  front-end ports: the listeners' ports from anywhere (or from the
  listener's allowed_cidrs), the amphora probe port from the VIP subnet
  (the distributors probe HAProxy there); rebuilt from the database by
  sync_load_balancer, so a listener added or removed is reflected;
- one for the management network (`octavia-aa-mgmt`): the agents' REST
  ports from the controllers' CIDRs, VRRP (IP protocol 112) and UDP pin
  sync between members of the group itself (the distributor pairs).

Egress stays open (Neutron's default rules): agents send heartbeats,
amphorae connect to members, replies go out by conntrack.
"""
import ipaddress

from openstack import exceptions as sdk_exc

MGMT_NAME = 'octavia-aa-mgmt'
LB_PREFIX = 'octavia-aa-lb-'
VRRP_PROTOCOL = '112'


def lb_name(load_balancer_id):
    return LB_PREFIX + load_balancer_id


def ensure(conn, name, description):
    """The group named `name` of the service project, made if missing
    (a retried call finds the first one)."""
    for group in conn.network.security_groups(name=name):
        return group
    return conn.network.create_security_group(name=name,
                                              description=description)


def _key(rule):
    # openstacksdk's to_dict() says ether_type where Neutron says
    # ethertype.
    return (rule.get('direction', 'ingress'),
            rule.get('ethertype') or rule.get('ether_type'),
            rule.get('protocol'), rule.get('port_range_min'),
            rule.get('port_range_max'), rule.get('remote_ip_prefix'),
            rule.get('remote_group_id'))


def set_ingress(conn, group, wanted):
    """Make the group's ingress rules exactly `wanted` (dicts of rule
    attributes): missing ones added, others removed; egress untouched."""
    want = {_key(dict(r, direction='ingress')): r for r in wanted}
    have = {}
    for rule in conn.network.security_group_rules(
            security_group_id=group.id, direction='ingress'):
        have[_key(rule.to_dict())] = rule
    for key, rule in have.items():
        if key not in want:
            conn.network.delete_security_group_rule(rule,
                                                    ignore_missing=True)
    for key, rule in want.items():
        if key not in have:
            try:
                conn.network.create_security_group_rule(
                    security_group_id=group.id, direction='ingress', **rule)
            except sdk_exc.ConflictException:
                pass        # made by a concurrent sync


def _ethertype(cidr):
    return 'IPv%d' % ipaddress.ip_network(cidr, strict=False).version


def port_rule(protocol, port, cidr):
    return {'protocol': protocol, 'port_range_min': port,
            'port_range_max': port, 'remote_ip_prefix': cidr,
            'ethertype': _ethertype(cidr)}


def listener_rules(listeners, vip_cidr, probe_port):
    """Ingress rules of a load balancer's group."""
    rules = [port_rule('tcp', probe_port, vip_cidr)]
    for listener in listeners:
        proto = 'udp' if listener.protocol == 'UDP' else (
            'sctp' if listener.protocol == 'SCTP' else 'tcp')
        cidrs = list(listener.allowed_cidrs or []) or \
            ['0.0.0.0/0', '::/0']
        for cidr in cidrs:
            rule = port_rule(proto, listener.protocol_port, cidr)
            if rule not in rules:
                rules.append(rule)
    return rules


def management_rules(group_id, controller_cidrs, agent_ports,
                     pin_sync_port):
    rules = [port_rule('tcp', port, cidr)
             for cidr in controller_cidrs for port in sorted(agent_ports)]
    for ethertype in ('IPv4', 'IPv6'):
        rules.append({'protocol': VRRP_PROTOCOL, 'ethertype': ethertype,
                      'remote_group_id': group_id})
        rules.append({'protocol': 'udp', 'port_range_min': pin_sync_port,
                      'port_range_max': pin_sync_port,
                      'ethertype': ethertype, 'remote_group_id': group_id})
    return rules


def delete(conn, name):
    """Remove the group (idempotent); one still on a port is left for
    the next delete (Neutron refuses: 409)."""
    for group in conn.network.security_groups(name=name):
        try:
            conn.network.delete_security_group(group, ignore_missing=True)
        except sdk_exc.ConflictException:
            return False
    return True
