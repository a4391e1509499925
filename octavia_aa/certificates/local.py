"""Local certificate authorities and certificates (cryptography).

Two CAs, as upstream Octavia recommends: the *server CA* signs the agents'
certificates (the controller trusts it), the *client CA* signs the
controller's certificate (the agents trust it).  A leaked agent key then
cannot be used to impersonate the controller to another agent.
"""
import datetime
import ipaddress
import os
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

SERVER_CA = 'server_ca'
CLIENT_CA = 'client_ca'


def _now():
    return datetime.datetime.now(datetime.timezone.utc)


def _new_key():
    # P-256: as strong as RSA-3072 and much cheaper to generate in tests.
    return ec.generate_private_key(ec.SECP256R1())


def _name(cn):
    return x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])


def create_ca(cn, validity_days=3650):
    key = _new_key()
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn)).issuer_name(_name(cn))
            .public_key(key.public_key())
            .serial_number(uuid.uuid4().int)
            .not_valid_before(_now() - datetime.timedelta(minutes=5))
            .not_valid_after(_now() + datetime.timedelta(days=validity_days))
            .add_extension(x509.BasicConstraints(ca=True, path_length=0),
                           critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=False, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=False, key_cert_sign=True, crl_sign=True,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(ski, critical=False)
            .sign(key, hashes.SHA256()))
    return cert, key


def issue(ca_cert, ca_key, cn, dns_names=(), ip_addresses=(),
          server=True, client=True, validity_days=30):
    """Issue a leaf certificate; CN and the first DNS SAN carry ``cn``."""
    key = _new_key()
    sans = [x509.DNSName(n) for n in (cn, *dns_names)]
    sans += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ip_addresses]
    usages = []
    if server:
        usages.append(ExtendedKeyUsageOID.SERVER_AUTH)
    if client:
        usages.append(ExtendedKeyUsageOID.CLIENT_AUTH)
    ca_ski = ca_cert.extensions.get_extension_for_class(
        x509.SubjectKeyIdentifier).value
    cert = (x509.CertificateBuilder()
            .subject_name(_name(cn)).issuer_name(ca_cert.subject)
            .public_key(key.public_key())
            .serial_number(uuid.uuid4().int)
            .not_valid_before(_now() - datetime.timedelta(minutes=5))
            .not_valid_after(_now() + datetime.timedelta(days=validity_days))
            .add_extension(x509.BasicConstraints(ca=False, path_length=None),
                           critical=True)
            .add_extension(x509.KeyUsage(
                digital_signature=True, content_commitment=False,
                key_encipherment=False, data_encipherment=False,
                key_agreement=True, key_cert_sign=False, crl_sign=False,
                encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.ExtendedKeyUsage(usages), critical=False)
            .add_extension(x509.SubjectAlternativeName(sans), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(
                key.public_key()), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(
                    ca_ski), critical=False)
            .sign(ca_key, hashes.SHA256()))
    return cert, key


def expiration(pem):
    """When the (first) certificate of `pem` expires, as naive UTC (the
    database's datetimes)."""
    cert = x509.load_pem_x509_certificate(pem)
    return cert.not_valid_after_utc.replace(tzinfo=None)


def cert_pem(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM,
                             serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def write(path, data, private=False):
    """Write atomically; private files are created 0600 from the start."""
    tmp = '%s.tmp.%d' % (path, os.getpid())
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC,
                 0o600 if private else 0o644)
    with os.fdopen(fd, 'wb') as f:
        f.write(data)
    os.replace(tmp, path)


def load_ca(ca_dir, which):
    with open(os.path.join(ca_dir, which + '.pem'), 'rb') as f:
        cert = x509.load_pem_x509_certificate(f.read())
    with open(os.path.join(ca_dir, which + '.key'), 'rb') as f:
        key = serialization.load_pem_private_key(f.read(), None)
    return cert, key


def init_cas(ca_dir, validity_days=3650):
    """Create both CAs in ``ca_dir`` (refuses to overwrite existing ones)."""
    os.makedirs(ca_dir, exist_ok=True)
    paths = {}
    for which, cn in ((SERVER_CA, 'octavia-aa server CA'),
                      (CLIENT_CA, 'octavia-aa client CA')):
        pem = os.path.join(ca_dir, which + '.pem')
        if os.path.exists(pem):
            raise FileExistsError(pem)
        cert, key = create_ca(cn, validity_days)
        write(os.path.join(ca_dir, which + '.key'), key_pem(key), True)
        write(pem, cert_pem(cert))
        paths[which] = pem
    return paths


def _agent_cert(ca_dir, agent_id, ip_addresses, validity_days):
    ca_cert, ca_key = load_ca(ca_dir, SERVER_CA)
    return issue(ca_cert, ca_key, str(agent_id), ip_addresses=ip_addresses,
                 server=True, client=False, validity_days=validity_days)


def agent_pem(ca_dir, agent_id, ip_addresses=(), validity_days=30):
    """Agent server certificate and its key in one PEM (like upstream's
    server.pem): CN/SAN = agent UUID (+ IP SANs)."""
    cert, key = _agent_cert(ca_dir, agent_id, ip_addresses, validity_days)
    return cert_pem(cert) + key_pem(key)


def issue_agent(ca_dir, agent_id, out, ip_addresses=(), validity_days=30):
    """agent_pem written to ``out``; returns the certificate."""
    cert, key = _agent_cert(ca_dir, agent_id, ip_addresses, validity_days)
    write(out, cert_pem(cert) + key_pem(key), True)
    return cert


def issue_controller(ca_dir, out, cn='octavia-aa-controller',
                     validity_days=365):
    ca_cert, ca_key = load_ca(ca_dir, CLIENT_CA)
    cert, key = issue(ca_cert, ca_key, cn, server=False, client=True,
                      validity_days=validity_days)
    write(out, cert_pem(cert) + key_pem(key), True)
    return cert


def ensure_local_pki(ca_dir, controller_pem):
    """The CAs and the controller's client certificate, made once: what
    the all-in-one needs on a fresh machine (octavia-aa-certs by hand
    otherwise).  Returns True when anything was created."""
    created = False
    if not os.path.exists(os.path.join(ca_dir, SERVER_CA + '.pem')):
        init_cas(ca_dir)
        created = True
    if created or not os.path.exists(controller_pem):
        issue_controller(ca_dir, controller_pem)
        created = True
    return created
