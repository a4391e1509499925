"""PUT /v1/certificate of both agents: the controller's new server
certificate (certificate and key in one PEM, as at boot) replaces the
agent's before the old one expires.

gunicorn builds the TLS context of each new connection from the
certificate file, so the next handshake presents the new certificate and
connections under way keep theirs: nothing restarts.  Only the controller
can call this (its client certificate is required).  Kept to the standard
library: agents must stay small."""
import os
import ssl
import tempfile

from octavia_aa.common import agent_app

MAX_PEM = 64 << 10


class BadCertificate(agent_app.ApiError):
    code = 400


def replace_server_cert(path, pem):
    """Check `pem` (bytes) is a certificate with its matching private key
    and atomically put it at `path`."""
    if not pem or len(pem) > MAX_PEM:
        raise BadCertificate('body: a PEM certificate and its key, at most '
                             '%d bytes' % MAX_PEM)
    fd, tmp = tempfile.mkstemp(dir=os.path.dirname(path) or '.',
                               prefix='.server-', suffix='.pem')
    try:
        with os.fdopen(fd, 'wb') as f:       # mkstemp: mode 0600
            f.write(pem)
        try:
            # What gunicorn will do with it: a mismatched key, a missing
            # key or garbage fails here instead of every next handshake.
            ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER).load_cert_chain(tmp)
        except (ssl.SSLError, ValueError) as exc:
            raise BadCertificate('body: not a certificate and its matching '
                                 'private key (%s)' % exc)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return {'replaced': True}
