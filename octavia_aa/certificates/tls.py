"""mTLS client helper: a requests session that pins the peer's name.

Like upstream's CustomHostNameCheckingAdapter: we connect by IP but the
certificate must be issued to the agent's UUID, so an agent holding a
valid certificate for another agent (or any other host) is refused.
"""
import ssl

import requests
from requests import adapters


class NamePinningAdapter(adapters.HTTPAdapter):

    def __init__(self, expected_name, **kwargs):
        self.expected_name = expected_name
        super().__init__(**kwargs)

    def init_poolmanager(self, *args, **kwargs):
        kwargs['assert_hostname'] = self.expected_name
        kwargs['ssl_minimum_version'] = ssl.TLSVersion.TLSv1_2
        super().init_poolmanager(*args, **kwargs)


def pinned_session(expected_name, client_cert, server_ca, client_key=None):
    """Session presenting ``client_cert`` and accepting only a server cert
    from ``server_ca`` whose CN/SAN is ``expected_name``."""
    session = requests.Session()
    # Otherwise REQUESTS_CA_BUNDLE silently replaces our CA (requests
    # prefers the environment over session.verify) and proxies apply.
    session.trust_env = False
    session.cert = (client_cert, client_key) if client_key else client_cert
    session.verify = server_ca
    session.mount('https://', NamePinningAdapter(str(expected_name)))
    return session
