import pytest

from tests.scenario import deployment as D


@pytest.fixture(scope='module')
def dep():
    """One all-in-one deployment per test module (modules with their own
    kind of deployment override it)."""
    d = D.Deployment().start()
    try:
        yield d
    finally:
        d.close()
