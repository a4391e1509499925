"""Test certificates for TLS listeners (self-signed, via our local CA)."""
from octavia_aa.certificates import local


def write_server_pems(directory, names):
    """A CA plus one certificate+key PEM per name, as the agent stores
    them; also writes the CA as ca.pem."""
    ca_cert, ca_key = local.create_ca('test CA')
    directory.mkdir(parents=True, exist_ok=True)
    for name in names:
        cert, key = local.issue(ca_cert, ca_key, name, client=False)
        (directory / ('%s.pem' % name)).write_bytes(
            local.cert_pem(cert) + local.key_pem(key))
    (directory / 'ca.pem').write_bytes(local.cert_pem(ca_cert))
    return ca_cert
