"""Rotation of the agents' server certificates: every [house_keeping]
cert_interval, each amphora and distributor whose certificate expires
within cert_expiry_buffer gets a new one, issued by the local server CA
for its id and management address and uploaded to its agent (PUT
/v1/certificate), which presents it from its next connection on."""
import datetime
import logging

from octavia_aa.common import config
from octavia_aa.common import drivers
from octavia_aa.controller.worker import machines
from octavia_aa.db import api as db_api
from octavia_aa.db import models
from octavia_aa.db.queries import cert_rotation

CONF = config.CONF
LOG = logging.getLogger(__name__)
# Which driver talks to the agent of each kind.
DRIVER = {models.Amphora: 'amphora', models.Distributor: 'distributor'}


def _utcnow():
    return datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)


def rotate_expiring(now=None):
    """One pass; returns the ids whose certificate was replaced."""
    before = (now or _utcnow()) + datetime.timedelta(
        seconds=CONF.house_keeping.cert_expiry_buffer)
    rotated = []
    for model in cert_rotation.MODELS:
        with db_api.session_scope() as session:
            claimed = cert_rotation.claim_expiring(session, model, before)
        for row_id in claimed:
            if _rotate(model, row_id):
                rotated.append(row_id)
    return rotated


def _rotate(model, row_id):
    expiration = None
    try:
        with db_api.session_scope(readonly=True) as session:
            obj = session.get(model, row_id)
            session.expunge(obj)
        pem, expiration = machines.server_cert(obj.id, obj.lb_network_ip)
        drivers.get(DRIVER[model]).update_server_cert(obj, pem)
        LOG.info('Rotated the server certificate of %s %s: valid until %s',
                 DRIVER[model], row_id, expiration.isoformat())
        return True
    except Exception as exc:
        expiration = None
        # Tried again at the next pass, while the old one is still valid.
        LOG.warning('Rotating the server certificate of %s %s failed: %s',
                    DRIVER[model], row_id, exc)
        return False
    finally:
        with db_api.session_scope() as session:
            cert_rotation.release(session, model, row_id, expiration)
