"""octavia-aa-db-manage: schema migrations (alembic)."""
import sys

from alembic import command
from oslo_config import cfg

from octavia_aa.common import config
from octavia_aa.db import migration


def _upgrade(alembic_cfg):
    # --sql: alembic's offline mode, the SQL printed and nothing run.
    sql = config.CONF.command.sql
    if sql and config.CONF.database.connection.startswith('sqlite'):
        # SQLite alters a table by rebuilding it from the live table's
        # reflection; the embedded database is migrated on start anyway.
        sys.exit('upgrade --sql needs a MariaDB or PostgreSQL [database] '
                 'connection: SQLite\'s migrations rebuild tables from the '
                 'live database. Run upgrade without --sql.')
    command.upgrade(alembic_cfg, config.CONF.command.revision, sql=sql)


def _current(alembic_cfg):
    command.current(alembic_cfg, verbose=True)


def _history(alembic_cfg):
    command.history(alembic_cfg, verbose=True)


def _stamp(alembic_cfg):
    command.stamp(alembic_cfg, config.CONF.command.revision)


def _check(alembic_cfg):
    command.check(alembic_cfg)


def _add_parsers(subparsers):
    for name, func, helptext, takes_revision in (
            ('upgrade', _upgrade, 'Upgrade the schema (default: to head).',
             True),
            ('current', _current, 'Show the current revision.', False),
            ('history', _history, 'List the revisions.', False),
            ('stamp', _stamp, 'Mark the database as at a revision.', True),
            ('check', _check, 'Fail if the models differ from the '
                              'migrations.', False)):
        parser = subparsers.add_parser(name, help=helptext)
        if takes_revision:
            parser.add_argument('revision', nargs='?', default='head')
        if name == 'upgrade':
            parser.add_argument(
                '--sql', action='store_true',
                help='Print the SQL of the upgrade for the dialect of '
                     '[database] connection instead of running it (a '
                     'range FROM:TO names the starting revision).')
        parser.set_defaults(func=func)


command_opt = cfg.SubCommandOpt('command', title='Command',
                                help='Available commands',
                                handler=_add_parsers)


def main():
    config.CONF.register_cli_opt(command_opt)
    # The log on stderr: stdout is for what was asked (upgrade --sql's
    # SQL, which a DBA redirects to a file).
    config.register_logging_opts()
    config.CONF.set_default('use_stderr', True)
    config.init(sys.argv[1:])
    config.CONF.command.func(migration.alembic_cfg())
