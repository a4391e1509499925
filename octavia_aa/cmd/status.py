"""octavia-aa-status upgrade check: what to fix before (or right after)
an upgrade, with oslo.upgradecheck's exit codes (0 success, 1 warning,
2 failure)."""
import sys

from alembic import migration as alembic_migration
from alembic import script as alembic_script
from oslo_upgradecheck import common_checks
from oslo_upgradecheck import upgradecheck

from octavia_aa.common import config
from octavia_aa.db import migration

CONF = config.CONF
Code = upgradecheck.Code
INSECURE_KEY = 'insecure'


def _check_schema(_checks):
    """The database is at the migrations' head (the services refuse
    nothing at start, so a forgotten db-manage step shows as errors)."""
    from octavia_aa.db import api as db_api
    head = alembic_script.ScriptDirectory.from_config(
        migration.alembic_cfg()).get_current_head()
    try:
        with db_api.get_engine().connect() as conn:
            current = alembic_migration.MigrationContext.configure(
                conn).get_current_revision()
    except Exception as exc:
        return upgradecheck.Result(
            Code.FAILURE, 'Cannot read the database at [database] '
            'connection: %s' % exc)
    if current != head:
        return upgradecheck.Result(
            Code.FAILURE, 'The database schema is at revision %s, the '
            'migrations at %s: run octavia-aa-db-manage upgrade head.'
            % (current or 'none (empty database)', head))
    return upgradecheck.Result(Code.SUCCESS,
                               'The database schema is at %s.' % head)


def _check_heartbeat_key(_checks):
    if CONF.health_manager.heartbeat_key == INSECURE_KEY:
        return upgradecheck.Result(
            Code.WARNING, '[health_manager] heartbeat_key is the embedded '
            'default: anyone on the management network can forge '
            'heartbeats. Set a secret key.')
    return upgradecheck.Result(Code.SUCCESS)


class Checks(upgradecheck.UpgradeCommands):
    _upgrade_checks = (
        ('Database schema', _check_schema),
        ('Heartbeat key', _check_heartbeat_key),
        ('Policy file format',
         (common_checks.check_policy_json, {'conf': CONF})),
    )


def main(argv=None):
    upgradecheck.register_cli_options(CONF, Checks())
    # The log on stderr: stdout is the report (--json is parsed).
    config.register_logging_opts()
    CONF.set_default('use_stderr', True)
    config.init(sys.argv[1:] if argv is None else argv)
    # check() reads --json from the module's CONF, which only its own
    # main() sets (that main parses without our logging set-up).
    upgradecheck.CONF = CONF
    return upgradecheck.run(CONF)


if __name__ == '__main__':
    sys.exit(main())
