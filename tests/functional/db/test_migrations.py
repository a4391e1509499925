"""The migrations build exactly the schema the models describe, on SQLite
and on the machine's real MariaDB and PostgreSQL.

MariaDB and PostgreSQL are required: if one is down, these tests fail
(they are what proves the migrations on that backend)."""
import uuid

from alembic import autogenerate
from alembic import command
from alembic import migration as alembic_migration
import pytest
import sqlalchemy as sa

from octavia_aa.db import migration
from octavia_aa.db import models

MYSQL_ADMIN = 'mysql+pymysql://root@127.0.0.1:3306/'
PG_ADMIN = 'postgresql+psycopg2://postgres@127.0.0.1:5432/postgres'


@pytest.fixture(params=['sqlite', 'mariadb', 'postgresql'])
def engine(request, tmp_path):
    name = 'aa_mig_%s' % uuid.uuid4().hex[:10]
    if request.param == 'sqlite':
        eng = sa.create_engine('sqlite:///%s' % (tmp_path / 'm.sqlite'))
        yield eng
        eng.dispose()
        return
    admin_url, url = {
        'mariadb': (MYSQL_ADMIN, MYSQL_ADMIN + name),
        'postgresql': (PG_ADMIN, PG_ADMIN.rsplit('/', 1)[0] + '/' + name),
    }[request.param]
    admin = sa.create_engine(admin_url, isolation_level='AUTOCOMMIT')
    with admin.connect() as conn:
        conn.execute(sa.text('CREATE DATABASE %s' % name))
    eng = sa.create_engine(url)
    try:
        yield eng
    finally:
        eng.dispose()
        with admin.connect() as conn:
            conn.execute(sa.text('DROP DATABASE %s' % name))
        admin.dispose()


def test_migrations_match_models(engine):
    with engine.begin() as conn:
        migration.upgrade(connection=conn)
    with engine.connect() as conn:
        ctx = alembic_migration.MigrationContext.configure(
            conn, opts={'compare_type': True})
        diff = autogenerate.compare_metadata(ctx, models.Base.metadata)
        assert diff == []
        tables = set(sa.inspect(conn).get_table_names())
    assert set(models.Base.metadata.tables) <= tables


def test_enumerations_are_enforced_by_the_database(engine):
    with engine.begin() as conn:
        migration.upgrade(connection=conn)
    # MariaDB reports a failed CHECK as an OperationalError, the others as
    # an IntegrityError; all name the constraint.
    with pytest.raises(sa.exc.DBAPIError, match='lb_topology'):
        with engine.begin() as conn:
            conn.execute(sa.text(
                "INSERT INTO flavor_profile (id, name, provider_name, "
                "flavor_data) VALUES ('p', 'p', 'amphora', '{}')"))
            conn.execute(sa.text(
                "INSERT INTO load_balancer (id, provisioning_status, "
                "operating_status, enabled, topology, provider, tags, "
                "created_at) VALUES ('x', 'ACTIVE', 'ONLINE', true, "
                "'ACTIVE_PASSIVE', 'amphora', '[]', CURRENT_TIMESTAMP)"))


def test_upgrade_is_idempotent(tmp_path):
    eng = sa.create_engine('sqlite:///%s' % (tmp_path / 'twice.sqlite'))
    with eng.begin() as conn:
        migration.upgrade(connection=conn)
    with eng.begin() as conn:
        migration.upgrade(connection=conn)
        command.check(migration.alembic_cfg(conn))


def test_listener_port_unique_as_upstream(engine):
    """Upstream's constraint: one listener per (load balancer, protocol,
    port); the layer-4 clash (HTTP:80 next to TCP:80) is the API's check
    under the load balancer's lock."""
    with engine.begin() as conn:
        migration.upgrade(connection=conn)
    with engine.connect() as conn:
        uniques = sa.inspect(conn).get_unique_constraints('listener')
    assert ['load_balancer_id', 'protocol', 'protocol_port'] in [
        u['column_names'] for u in uniques]


def test_amphora_port_ids_take_upstreams_meaning(engine):
    """Rows written before 0005 held the amphora's own port in
    ha_port_id; afterwards it is in vrrp_port_id and ha_port_id is the
    VIP's port, as upstream reads them."""
    with engine.begin() as conn:
        migration.upgrade('0004_heartbeat_order', connection=conn)
        conn.execute(sa.text(
            "INSERT INTO load_balancer (id, provisioning_status, "
            "operating_status, enabled, topology, provider, tags, "
            "created_at) VALUES ('lb', 'ACTIVE', 'ONLINE', true, "
            "'SINGLE', 'amphora', '[]', CURRENT_TIMESTAMP)"))
        conn.execute(sa.text(
            "INSERT INTO vip (load_balancer_id, port_id, vnic_type, sg_ids) "
            "VALUES ('lb', 'vip-port', 'normal', '[]')"))
        conn.execute(sa.text(
            "INSERT INTO amphora (id, load_balancer_id, status, cert_busy, "
            "ha_port_id, created_at) VALUES ('amp', 'lb', 'ALLOCATED', "
            "false, 'own-port', CURRENT_TIMESTAMP)"))
    with engine.begin() as conn:
        migration.upgrade(connection=conn)
        row = conn.execute(sa.text(
            "SELECT vrrp_port_id, ha_port_id FROM amphora")).one()
    assert tuple(row) == ('own-port', 'vip-port')
