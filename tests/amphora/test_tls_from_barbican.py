"""TLS terminated on a real amphora with a certificate that a tenant
stored in a real Barbican: the REST driver fetches it through castellan
as the service user and uploads it; a client verifies it."""
import uuid

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12
import pytest

from octavia_aa.certificates import local
from octavia_aa.common import drivers
from tests import barbican_server
from tests.amphora import bed as bedmod
from tests.amphora import samples
from tests.amphora.test_agent_netns import curl
from tests.amphora.test_agent_netns import curl_https
from tests.amphora.test_agent_netns import lb_config
from tests.amphora.test_agent_netns import to_amphora

pytestmark = pytest.mark.timeout(900)


@pytest.fixture(scope='module')
def cloud():
    with barbican_server.cloud() as c:
        yield c


def test_terminated_https_with_a_certificate_from_barbican(
        bed, cloud, tmp_path):
    ca_cert, ca_key = local.create_ca('tenant CA')
    cert, key = local.issue(ca_cert, ca_key, 'www', client=False)
    href = cloud.store(pkcs12.serialize_key_and_certificates(
        None, key, cert, None, serialization.NoEncryption()))
    (tmp_path / 'ca.pem').write_bytes(local.cert_pem(ca_cert))
    cloud.configure(bed._set)
    drivers.reset()
    bed.amp_driver.update_config(bed.amp, lb_config(bed))
    to_amphora(bed)
    bedmod.wait_for(lambda: curl(bed), what='VIP served')
    cfg = lb_config(bed)
    cfg['load_balancer']['id'] = str(uuid.uuid4())
    cfg['listeners'] = [samples.listener(
        2, 'TERMINATED_HTTPS', 443, pool=samples.P1,
        default_tls_container_ref=href)]
    bed.amp_driver.update_config(bed.amp, cfg)
    try:
        assert curl_https(bed, tmp_path / 'ca.pem') in ('member1',
                                                        'member2')
    finally:
        bed.amp_driver.delete_config(bed.amp, cfg['load_balancer']['id'])
