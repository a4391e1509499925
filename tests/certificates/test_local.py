import ipaddress
import os
import uuid

from cryptography import x509
from cryptography.x509.oid import ExtendedKeyUsageOID
from cryptography.x509.oid import NameOID

from octavia_aa.certificates import cmd
from octavia_aa.certificates import local


def _load(path):
    with open(path, 'rb') as f:
        return x509.load_pem_x509_certificate(f.read())


def test_cli_creates_cas_and_named_certificates(tmp_path):
    ca = str(tmp_path / 'ca')
    agent_id = str(uuid.uuid4())
    assert cmd.main(['init', ca]) == 0
    assert cmd.main(['init', ca]) == 1          # never overwrites a CA
    assert cmd.main(['agent', ca, agent_id, str(tmp_path / 'agent.pem'),
                     '--ip', '198.51.100.3']) == 0
    assert cmd.main(['client', ca, str(tmp_path / 'client.pem')]) == 0
    server_ca = _load(os.path.join(ca, 'server_ca.pem'))
    client_ca = _load(os.path.join(ca, 'client_ca.pem'))
    agent = _load(str(tmp_path / 'agent.pem'))
    client = _load(str(tmp_path / 'client.pem'))
    assert agent.issuer == server_ca.subject
    assert client.issuer == client_ca.subject
    assert server_ca.subject != client_ca.subject
    cn = agent.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    assert cn == agent_id
    san = agent.extensions.get_extension_for_class(
        x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == [agent_id]
    assert san.get_values_for_type(x509.IPAddress) == [
        ipaddress.ip_address('198.51.100.3')]
    eku = agent.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.SERVER_AUTH]
    eku = client.extensions.get_extension_for_class(
        x509.ExtendedKeyUsage).value
    assert list(eku) == [ExtendedKeyUsageOID.CLIENT_AUTH]
    server_ca.public_key().verify  # signature checked by TLS tests
    assert os.stat(os.path.join(ca, 'server_ca.key')).st_mode & 0o077 == 0
    assert os.stat(str(tmp_path / 'agent.pem')).st_mode & 0o077 == 0


def test_agent_id_must_be_a_uuid(tmp_path, capsys):
    ca = str(tmp_path / 'ca')
    local.init_cas(ca)
    try:
        cmd.main(['agent', ca, 'not-a-uuid', str(tmp_path / 'a.pem')])
    except SystemExit as exc:
        assert exc.code == 2
    else:
        raise AssertionError('a non-UUID agent name was accepted')
    assert not os.path.exists(str(tmp_path / 'a.pem'))
