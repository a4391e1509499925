"""The certificate manager interface.

A reference is one of two kinds, as upstream's cert_parser reads them:
a *bundle* (a listener's default/SNI certificate, a pool's client
certificate) is a certificate, its private key and any intermediates;
a *secret* (a client CA, a CRL, a pool's CA) is PEM data used as it is.
"""
import abc

BUNDLE = 'bundle'
SECRET = 'secret'

# Which kind each API field holds.
FIELD_KINDS = {
    'default_tls_container_ref': BUNDLE,
    'sni_container_refs': BUNDLE,
    'tls_container_ref': BUNDLE,
    'client_ca_tls_container_ref': SECRET,
    'client_crl_container_ref': SECRET,
    'ca_tls_container_ref': SECRET,
    'crl_container_ref': SECRET,
}


class CertificateRetrievalError(Exception):
    """A reference that does not resolve, that the service may not read,
    or whose content is not what its field needs."""

    def __init__(self, ref, reason):
        self.ref, self.reason = ref, reason
        super().__init__('%s: %s' % (ref, reason))


class CertManager(metaclass=abc.ABCMeta):

    @abc.abstractmethod
    def fetch(self, ref):
        """The stored bytes of `ref`; CertificateRetrievalError if it does
        not resolve or may not be read."""

    def get_pem(self, ref, kind):
        """PEM bytes for HAProxy: a bundle as certificate, intermediates,
        private key; a secret as stored."""
        from octavia_aa.certificates.managers import pem
        data = self.fetch(ref)
        if kind == BUNDLE:
            return pem.bundle(ref, data)
        return pem.secret(ref, data)

    def check(self, ref, kind):
        """Raise CertificateRetrievalError unless `ref` resolves to usable
        content of `kind` (the API's request-time check)."""
        self.get_pem(ref, kind)
