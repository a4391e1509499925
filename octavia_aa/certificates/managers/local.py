"""Certificates from a directory on the controller (the default).

Good for one controller host and for tests; a cloud shares users'
certificates through Barbican instead (castellan_cert_manager)."""
import os

from oslo_config import cfg

from octavia_aa.certificates.managers import base
from octavia_aa.certificates.managers import opts


class LocalCertManager(base.CertManager):

    def __init__(self, conf=None):
        self.opts = opts.register_opts(conf or cfg.CONF)

    def fetch(self, ref):
        store = self.opts.certificate_store
        # A reference names a file in the store, never one outside.
        if os.path.isabs(ref) or '..' in ref.split('/'):
            raise base.CertificateRetrievalError(
                ref, 'a reference names a file inside the store')
        for candidate in (ref, ref + '.pem'):
            path = os.path.join(store, candidate)
            if os.path.isfile(path):
                with open(path, 'rb') as f:
                    return f.read()
        raise base.CertificateRetrievalError(
            ref, 'not in the certificate store %s' % store)
