"""Certificates from a real Barbican (behind a real Keystone), read as the
service user through castellan: what resolves becomes HAProxy's PEM, what
does not (unknown, not shared with the service user, not a certificate)
is refused with a 400 when a listener or pool names it."""
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
import pytest

from octavia_aa.certificates import local
from octavia_aa.certificates.managers import base
from octavia_aa.common import drivers
from tests import barbican_server
from tests.functional.api import helpers

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope='module')
def cloud():
    with barbican_server.cloud() as c:
        yield c


@pytest.fixture(scope='module')
def tls():
    """A CA, an intermediate and a server certificate under it."""
    ca_cert, ca_key = local.create_ca('oaa test root')
    server, key = local.issue(ca_cert, ca_key, 'www.example.test',
                              client=False)
    return {'ca': ca_cert, 'cert': server, 'key': key,
            'p12': pkcs12.serialize_key_and_certificates(
                None, key, server, [ca_cert],
                serialization.NoEncryption())}


@pytest.fixture
def manager(cloud, database, overrides):
    cloud.configure(overrides)
    drivers.reset()
    return drivers.get('cert_manager')


def test_a_shared_pkcs12_bundle_becomes_haproxys_pem(cloud, manager, tls):
    href = cloud.store(tls['p12'])
    pem = manager.get_pem(href, base.BUNDLE)
    certs = x509.load_pem_x509_certificates(pem)
    assert certs[0] == tls['cert'] and certs[1:] == [tls['ca']]
    key = serialization.load_pem_private_key(pem, None)
    assert key.private_numbers() == tls['key'].private_numbers()


def test_a_ca_secret_is_served_as_stored(cloud, manager, tls):
    ca = local.cert_pem(tls['ca'])
    href = cloud.store(ca, 'text/plain')
    assert manager.get_pem(href, base.SECRET) == ca


def test_a_secret_not_shared_with_the_service_user_is_refused(
        cloud, manager, tls):
    href = cloud.store(tls['p12'], readable=False)
    with pytest.raises(base.CertificateRetrievalError) as e:
        manager.check(href, base.BUNDLE)
    assert e.value.ref == href
    assert 'may not read' in e.value.reason


def test_unknown_and_unusable_secrets_are_refused(cloud, manager):
    unknown = cloud.barbican.url + '/v1/secrets/' + str(uuid.uuid4())
    with pytest.raises(base.CertificateRetrievalError) as e:
        manager.check(unknown, base.BUNDLE)
    assert 'no such secret' in e.value.reason
    garbage = cloud.store(b'\x00not a bundle')
    with pytest.raises(base.CertificateRetrievalError) as e:
        manager.check(garbage, base.BUNDLE)
    assert 'PKCS#12' in e.value.reason


def test_listeners_and_pools_are_checked_at_request_time(
        api, worker, cloud, manager, tls):
    lb = helpers.active_lb(api)
    good = cloud.store(tls['p12'])
    hidden = cloud.store(tls['p12'], readable=False)
    ca = cloud.store(local.cert_pem(tls['ca']), 'text/plain')
    body = {'loadbalancer_id': lb['id'], 'protocol': 'TERMINATED_HTTPS',
            'protocol_port': 443}
    res = api.post_json('/v2/lbaas/listeners', {'listener': dict(
        body, default_tls_container_ref=hidden)}, status=400)
    assert 'Could not retrieve certificate: %s' % hidden in \
        res.json['faultstring']
    assert 'default_tls_container_ref' in res.json['faultstring']
    res = api.post_json('/v2/lbaas/listeners', {'listener': dict(
        body, default_tls_container_ref=good,
        sni_container_refs=[good, hidden])}, status=400)
    assert 'sni_container_refs' in res.json['faultstring']
    listener = api.post_json('/v2/lbaas/listeners', {'listener': dict(
        body, default_tls_container_ref=good,
        client_ca_tls_container_ref=ca)}, status=201).json['listener']
    assert listener['default_tls_container_ref'] == good
    helpers.wait_for(api, '/v2/lbaas/loadbalancers/%s' % lb['id'],
                     'loadbalancer')
    res = api.post_json('/v2/lbaas/pools', {'pool': {
        'loadbalancer_id': lb['id'], 'protocol': 'HTTP',
        'lb_algorithm': 'ROUND_ROBIN', 'ca_tls_container_ref': good,
        'tls_enabled': True}}, status=400)
    assert 'ca_tls_container_ref' in res.json['faultstring']
