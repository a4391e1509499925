"""Alembic set-up shared by octavia-aa-db-manage and the tests."""
import os
import sys

from alembic import command
from alembic import config as alembic_config


def script_location():
    here = os.path.dirname(os.path.abspath(__file__))
    candidates = [os.path.join(here, '..', '..', 'alembic'),
                  os.path.join(sys.prefix, 'share', 'octavia-aa', 'alembic')]
    for path in candidates:
        if os.path.exists(os.path.join(path, 'env.py')):
            return os.path.normpath(path)
    raise RuntimeError('alembic migrations not found in %s' % candidates)


def alembic_cfg(connection=None):
    cfg = alembic_config.Config()
    cfg.set_main_option('script_location', script_location())
    if connection is not None:
        cfg.attributes['connection'] = connection
    return cfg


def upgrade(revision='head', connection=None):
    command.upgrade(alembic_cfg(connection), revision)
