"""Housekeeping's certificate pass over the database (noop drivers): only
agents that serve and expire within the buffer are rotated, each gets a
certificate for its id, a failed upload is tried again at the next pass
(the claim released, the old expiration kept), and the API shows
cert_expiration."""
import datetime

from cryptography import x509
from cryptography.x509.oid import NameOID

from octavia_aa.certificates import local as certs
from octavia_aa.common import drivers
from octavia_aa.compute import boot_opts
from octavia_aa.controller.housekeeping import certs as rotation
from octavia_aa.db import api as db_api
from octavia_aa.db import models


def _cn(pem):
    cert = x509.load_pem_x509_certificate(pem)
    return cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value


def test_rotation_pass_over_distributors(database, overrides, api):
    # Taken here, not at import: the suite may run long before this test.
    now = datetime.datetime.now(datetime.timezone.utc).replace(
        tzinfo=None, microsecond=0)
    boot_opts.register_opts()
    certs.init_cas(str(database / 'ca'))
    overrides('ca_dir', str(database / 'ca'), 'agent_boot')
    soon, later = now + datetime.timedelta(days=3), now + datetime.timedelta(
        days=60)
    rows = {'due': ('ACTIVE', soon), 'fine': ('ACTIVE', later),
            'building': ('PENDING_CREATE', soon), 'gone': ('ACTIVE', soon)}
    with db_api.session_scope() as session:
        for i, (name, (status, expires)) in enumerate(rows.items()):
            session.add(models.Distributor(
                id=name, name=name, status=status, role='STANDALONE',
                lb_network_ip='192.0.2.%d' % (10 + i),
                cert_expiration=expires))
    driver = drivers.get('distributor')
    driver.unreachable.add('gone')

    assert rotation.rotate_expiring(now=now) == ['due']
    assert set(driver.server_certs) == {'due'}
    assert _cn(driver.server_certs['due']) == 'due'
    with db_api.session_scope() as session:
        got = {d.id: d for d in session.query(models.Distributor)}
        fresh = got['due'].cert_expiration - now      # a fresh 30 days
        assert datetime.timedelta(days=29) < fresh <= datetime.timedelta(
            days=30, minutes=1)
        assert got['gone'].cert_expiration == soon    # kept, tried again
        assert not any(d.cert_busy for d in got.values())

    driver.unreachable.discard('gone')
    # 'due' now expires in 30 days: not within the 14-day buffer.
    assert rotation.rotate_expiring(now=now) == ['gone']

    shown = api.get('/v2/octavia/distributors/fine').json['distributor']
    assert shown['cert_expiration'] == later.isoformat()
