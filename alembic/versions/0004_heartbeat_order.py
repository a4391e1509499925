"""the last heartbeat accepted per sender, against replays

Revision ID: 0004_heartbeat_order
Revises: 0003_availability_zones
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = '0004_heartbeat_order'
down_revision = '0003_availability_zones'
branch_labels = None
depends_on = None

TABLES = ('amphora_health', 'distributor_health')


def upgrade():
    for table in TABLES:
        op.add_column(table, sa.Column('last_boot', sa.BigInteger(),
                                       nullable=True))
        op.add_column(table, sa.Column('last_seq', sa.BigInteger(),
                                       nullable=True))


def downgrade():
    for table in TABLES:
        with op.batch_alter_table(table) as batch:
            batch.drop_column('last_seq')
            batch.drop_column('last_boot')
