"""Agent certificate rotation on a real netns amphora: the certificate
recorded at build is the one the agent presents; housekeeping's pass
replaces one that expires within [house_keeping] cert_expiry_buffer by
uploading a new one, which the running agent presents from its next
connection on (no restart) and the controller still trusts; garbage is
refused with 400 and changes nothing."""
import datetime
import shutil
import ssl
import types
import uuid

from cryptography import x509
from cryptography.hazmat.primitives import serialization
import pytest

from octavia_aa.amphorae.drivers import rest
from octavia_aa.common import config
from octavia_aa.common import drivers
from octavia_aa.controller.housekeeping import certs as rotation
from octavia_aa.controller.worker import machines
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from tests.amphora import bed as bedmod

CONF = config.CONF


@pytest.fixture(scope='module')
def bed():
    assert shutil.which('haproxy'), 'haproxy must be installed'
    b = bedmod.Bed(heartbeat_port=None)
    try:
        yield b
    finally:
        b.close()
        drivers.reset()


def presented(amp):
    """The certificate the agent presents on a new connection."""
    port = machines.agent_port(machines.AMPHORA)
    pem = ssl.get_server_certificate((amp.lb_network_ip, port), timeout=10)
    return x509.load_pem_x509_certificate(pem.encode())


def test_rotation_replaces_the_certificate_of_a_running_agent(bed):
    amp_id = str(uuid.uuid4())
    built = machines.build_machine('amphora', amp_id, name='amphora-rot',
                                   compute=bed.compute, network=bed.network)
    # Deleted by the bed's close(), even on failure.
    amp = types.SimpleNamespace(id=amp_id, compute_id=built.compute_id,
                                load_balancer_id=None, lb_network_ip=None)
    bed.machines.append(amp)
    ip = bed.compute.wait_active(built.compute_id)['lb_network_ip']
    amp.lb_network_ip = ip
    bed.amp_driver.wait_for_agent(amp)
    before = presented(amp)
    # What a build records is what the agent serves.
    assert built.cert_expiration == before.not_valid_after_utc.replace(
        tzinfo=None)

    with db_api.session_scope() as session:
        session.add(models.Amphora(
            id=amp_id, status='ALLOCATED', lb_network_ip=ip,
            compute_id=built.compute_id,
            cert_expiration=built.cert_expiration))
    CONF.set_override('amphora_driver', 'amphora_rest_driver',
                      'controller_worker')
    drivers.reset()
    try:
        # 30-day certificates: not due with the default 14-day buffer...
        assert rotation.rotate_expiring() == []
        # ...due when they expire within 31 days.
        CONF.set_override('cert_expiry_buffer', 31 * 86400, 'house_keeping')
        assert rotation.rotate_expiring() == [amp_id]
    finally:
        CONF.clear_override('cert_expiry_buffer', 'house_keeping')
        CONF.clear_override('amphora_driver', 'controller_worker')

    after = presented(amp)
    assert after.serial_number != before.serial_number
    assert after.subject == before.subject        # CN = the amphora id
    with db_api.session_scope() as session:
        row = session.get(models.Amphora, amp_id)
        assert row.cert_expiration == after.not_valid_after_utc.replace(
            tzinfo=None)
        assert row.cert_busy is False
    # The controller still trusts it (its CA signed it; CN checked).
    assert bed.amp_driver.get_info(amp)['id'] == amp_id

    # A broken upload is refused and leaves the new certificate in place.
    with pytest.raises(rest.AmphoraAgentError) as err:
        bed.amp_driver.update_server_cert(amp, b'not a certificate')
    assert err.value.status == 400
    cert_only = after.public_bytes(serialization.Encoding.PEM)  # no key
    with pytest.raises(rest.AmphoraAgentError):
        bed.amp_driver.update_server_cert(amp, cert_only)
    assert presented(amp).serial_number == after.serial_number
    assert (datetime.datetime.now(datetime.timezone.utc)
            < after.not_valid_after_utc)
