"""Turn stored certificate data into what HAProxy reads, checking it.

Bundles come as PKCS#12 (what upstream's cookbook stores in Barbican:
`openstack secret store -t application/octet-stream -e base64
--payload "$(base64 < server.p12)"`) or as PEM holding the certificate
and its key; both leave here as one PEM: certificate, intermediates, key.
"""
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from octavia_aa.certificates.managers import base

_PEM = serialization.Encoding.PEM


def _spki(obj):
    """The public key of a certificate or a private key, comparable."""
    return obj.public_key().public_bytes(
        _PEM, serialization.PublicFormat.SubjectPublicKeyInfo)


def _from_pkcs12(ref, data):
    try:
        key, cert, extra = pkcs12.load_key_and_certificates(data, None)
    except (ValueError, TypeError) as e:
        raise base.CertificateRetrievalError(
            ref, 'not a PKCS#12 bundle without a passphrase (%s)' % e)
    return key, cert, list(extra or [])


def _from_pem(ref, data):
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise base.CertificateRetrievalError(
            ref, 'neither PKCS#12 nor PEM with a certificate')
    try:
        key = serialization.load_pem_private_key(data, None)
    except (ValueError, TypeError):
        raise base.CertificateRetrievalError(
            ref, 'the PEM holds no private key without a passphrase')
    # The server certificate is the one the key belongs to, wherever it
    # sits in the file.
    mine = [c for c in certs if _spki(c) == _spki(key)]
    if not mine:
        raise base.CertificateRetrievalError(
            ref, 'no certificate in it matches its private key')
    return key, mine[0], [c for c in certs if c is not mine[0]]


def bundle(ref, data):
    """Certificate, intermediates, key: one PEM, checked to match."""
    if b'-----BEGIN' in data:
        key, cert, extra = _from_pem(ref, data)
    else:
        key, cert, extra = _from_pkcs12(ref, data)
    if key is None or cert is None:
        raise base.CertificateRetrievalError(
            ref, 'the bundle needs a certificate and its private key')
    if _spki(cert) != _spki(key):
        raise base.CertificateRetrievalError(
            ref, 'the certificate does not match the private key')
    return b''.join([cert.public_bytes(_PEM)] +
                    [c.public_bytes(_PEM) for c in extra] +
                    [key.private_bytes(
                        _PEM, serialization.PrivateFormat.PKCS8,
                        serialization.NoEncryption())])


def secret(ref, data):
    """CA certificates or a CRL as canonical PEM (DER is converted)."""
    if b'-----BEGIN' in data:
        try:
            if b'X509 CRL' in data:
                return x509.load_pem_x509_crl(data).public_bytes(_PEM)
            return b''.join(c.public_bytes(_PEM)
                            for c in x509.load_pem_x509_certificates(data))
        except ValueError as e:
            raise base.CertificateRetrievalError(
                ref, 'unreadable PEM (%s)' % e)
    for loader in (x509.load_der_x509_certificate, x509.load_der_x509_crl):
        try:
            return loader(data).public_bytes(_PEM)
        except ValueError:
            continue
    raise base.CertificateRetrievalError(
        ref, 'not a PEM or DER certificate or CRL')
