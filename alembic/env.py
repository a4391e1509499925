"""Alembic environment: migrations run on SQLite (batch mode), MariaDB and
PostgreSQL against [database] connection."""
from alembic import context

from octavia_aa.db import api as db_api
from octavia_aa.db import models

config = context.config


def run_migrations_online():
    connectable = config.attributes.get('connection')
    if connectable is None:
        with db_api.get_engine().connect() as conn:
            _run(conn)
    else:
        _run(connectable)


def _run(connection):
    context.configure(connection=connection,
                      target_metadata=models.Base.metadata,
                      render_as_batch=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
