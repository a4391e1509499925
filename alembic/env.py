"""Alembic environment: migrations run on SQLite (batch mode), MariaDB and
PostgreSQL against [database] connection; offline (octavia-aa-db-manage
upgrade --sql) they print the SQL for that connection's dialect instead,
for a DBA to review and run."""
from alembic import context

from octavia_aa.common import config as oaa_config
from octavia_aa.db import api as db_api
from octavia_aa.db import models

config = context.config


def run_migrations_offline():
    # Only the URL's dialect matters: nothing connects.
    context.configure(url=oaa_config.CONF.database.connection,
                      target_metadata=models.Base.metadata,
                      render_as_batch=True, literal_binds=True,
                      compare_type=True)
    with context.begin_transaction():
        context.run_migrations()


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


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
