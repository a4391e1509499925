"""Every reference resolves to one throwaway self-signed certificate:
the twin for control-plane tests with no certificate store."""
import datetime

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from octavia_aa.certificates.managers import base


def _self_signed():
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, 'noop')])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(1)
            .not_valid_before(now).not_valid_after(
                now + datetime.timedelta(days=1))
            .sign(key, hashes.SHA256()))
    pem = serialization.Encoding.PEM
    return cert.public_bytes(pem) + key.private_bytes(
        pem, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption())


class NoopCertManager(base.CertManager):

    def __init__(self, conf=None):
        self._pem = _self_signed()

    def fetch(self, ref):
        return self._pem
