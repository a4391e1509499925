"""The Keystone fixture fails loudly (never skips) when what it needs is
missing, and leaves nothing behind."""
import glob
import tempfile

import pytest

from tests import keystone_server


def _leftovers():
    return set(glob.glob(tempfile.gettempdir() + '/oaa-keystone-*'))


def test_mariadb_down_is_an_error(monkeypatch):
    monkeypatch.setattr(keystone_server, 'MARIADB',
                        'mysql+pymysql://root@127.0.0.1:%d/'
                        % keystone_server.free_port())
    before = _leftovers()
    with pytest.raises(keystone_server.KeystoneUnavailable,
                       match='MariaDB .* is not reachable'):
        with keystone_server.running():
            pass
    assert _leftovers() == before


def test_failed_install_is_an_error(monkeypatch, tmp_path):
    # A requirement pip refuses before it asks any index.
    monkeypatch.setattr(keystone_server, 'PACKAGES',
                        ('keystone==not a version',))
    venv = str(tmp_path / 'venv')
    with pytest.raises(keystone_server.KeystoneUnavailable,
                       match='pip install'):
        keystone_server.ensure_venv(venv)
    with pytest.raises(keystone_server.KeystoneUnavailable):
        keystone_server.ensure_venv(venv)
