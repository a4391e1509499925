"""What the data plane serves, asked at request time: the amphora driver
and the topology strategy say what they support, and the API refuses the
rest with a 400 naming the option, instead of accepting an object that
would be dropped or go to ERROR a second later."""
import ipaddress

from octavia_aa import topology
from octavia_aa.certificates.managers import base as cert_base
from octavia_aa.common import config
from octavia_aa.common import drivers
from octavia_aa.common import exceptions

CONF = config.CONF


def _driver():
    return drivers.get('amphora')


def _driver_name():
    return CONF.controller_worker.amphora_driver


def check_topology(name, field='loadbalancer_topology'):
    strategy = topology.get(name)
    if strategy.vip_holder not in _driver().vip_holders:
        raise exceptions.InvalidInput(
            field, name, 'The %s topology is not served by this data plane '
            '([controller_worker] amphora_driver = %s) yet.'
            % (strategy.name, _driver_name()))


def _why(key):
    reason = getattr(_driver(), 'refusals', {}).get(key)
    return ': %s.' % reason if reason else ' yet.'


def _check_protocol(kind, attr, topology_name, protocol):
    if protocol not in getattr(_driver(), attr) or \
            protocol not in getattr(topology.get(topology_name), attr):
        raise exceptions.InvalidInput(
            'protocol', protocol, '%s %s are not served by this data plane '
            '([controller_worker] amphora_driver = %s, topology %s)%s'
            % (protocol, kind, _driver_name(), topology_name,
               _why(protocol)))


def check_pool_algorithm(protocol, algorithm):
    """400 for an lb_algorithm the data plane cannot serve on pools of
    this protocol (the driver's refusals name the pair)."""
    if (protocol, algorithm) in getattr(_driver(), 'refusals', {}):
        raise exceptions.InvalidInput(
            'lb_algorithm', algorithm, '%s %s pools are not served by this '
            'data plane ([controller_worker] amphora_driver = %s)%s'
            % (algorithm, protocol, _driver_name(),
               _why((protocol, algorithm))))


def check_listener_protocol(topology_name, protocol):
    _check_protocol('listeners', 'listener_protocols', topology_name,
                    protocol)


def check_pool_protocol(topology_name, protocol):
    _check_protocol('pools', 'pool_protocols', topology_name, protocol)


def check_member_family(pool, address):
    """400 for a member whose IP family is not its load balancer VIP's
    on a pool the data plane serves in one family only (the amphora's
    UDP table is of the VIP's family; upstream's amphora driver refuses
    mixed families on UDP pools too)."""
    if pool.protocol not in getattr(_driver(), 'single_family_protocols',
                                    ()):
        return
    vip = pool.load_balancer.vip
    if vip is None or not vip.ip_address:
        return
    if ipaddress.ip_address(address).version != \
            ipaddress.ip_address(vip.ip_address).version:
        raise exceptions.InvalidInput(
            'address', address, 'Members of %s pools must be of the IP '
            'family of the VIP %s on this data plane ([controller_worker] '
            'amphora_driver = %s).' % (pool.protocol, vip.ip_address,
                                       _driver_name()))


def check_certificates(values, fields):
    """400 for the first TLS container reference (of `fields` in values)
    that the certificate manager cannot resolve into what the field needs
    (upstream's CertificateRetrievalException)."""
    manager = drivers.get('cert_manager')
    for field in fields:
        refs = values.get(field)
        for ref in (refs if isinstance(refs, list) else [refs]):
            if not ref:
                continue
            try:
                manager.check(ref, cert_base.FIELD_KINDS[field])
            except cert_base.CertificateRetrievalError as e:
                raise exceptions.InvalidInput(
                    field, ref, 'Could not retrieve certificate: %s (%s)'
                    % (ref, e.reason))
