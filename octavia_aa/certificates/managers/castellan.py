"""Certificates from Barbican (or another castellan backend).

Users store a PKCS#12 bundle (or PEM) as a secret and pass its href as
the container reference, as with upstream Octavia.  The secrets are read
as the service user of [service_auth]: a user lets octavia-aa read a
secret by a Barbican ACL for that user (or the service user has a role
in the user's project).  A secret the service user may not read is
refused at request time like one that does not exist.
"""
from castellan import key_manager
from castellan.common import exception as castellan_exc
from keystoneauth1 import exceptions as ks_exc
from oslo_config import cfg
from oslo_context import context as oslo_context

from octavia_aa.certificates.managers import base
from octavia_aa.certificates.managers import opts
from octavia_aa.common import service_auth


class _ServiceContext(oslo_context.RequestContext):
    """Castellan asks a context for its keystoneauth plugin."""

    def __init__(self, auth):
        super().__init__()
        self._auth = auth

    def get_auth_plugin(self):
        return self._auth


def _reason(error):
    # castellan wraps Barbican's 403 in a KeyManagerError; the client's
    # error it was raised from keeps the status.
    status = getattr(error.__context__, 'status_code', None)
    if isinstance(error, castellan_exc.Forbidden) or status == 403:
        return 'the service user may not read it (a Barbican ACL for ' \
            'the service user lets it)'
    return 'the key manager refused or could not be reached (%s)' % error


class CastellanCertManager(base.CertManager):

    def __init__(self, conf=None):
        conf = conf or cfg.CONF
        opts.register_opts(conf)
        service_auth.register_opts(conf)
        self._conf = conf
        self._manager = None
        self._context = None

    def _api(self):
        # Built on first use: loading the auth plugin needs [service_auth]
        # filled in, which a process that never reads a secret need not.
        if self._manager is None:
            self._context = _ServiceContext(service_auth.auth(self._conf))
            self._manager = key_manager.API(self._conf)
        return self._manager

    def fetch(self, ref):
        manager = self._api()
        # castellan wants the secret's id; an href ends with it.
        secret_id = ref.rstrip('/').rsplit('/', 1)[-1]
        try:
            data = manager.get(self._context, secret_id).get_encoded()
        except castellan_exc.ManagedObjectNotFoundError:
            raise base.CertificateRetrievalError(ref, 'no such secret')
        except (castellan_exc.KeyManagerError,
                ks_exc.ClientException) as e:
            raise base.CertificateRetrievalError(ref, _reason(e))
        # A text/plain secret comes back as text.
        return data.encode() if isinstance(data, str) else data
