"""availability zones and their profiles

Revision ID: 0003_availability_zones
Revises: 0002_controller_claim
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = '0003_availability_zones'
down_revision = '0002_controller_claim'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'availability_zone_profile',
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('provider_name', sa.String(length=255), nullable=False),
        sa.Column('availability_zone_data', sa.String(length=4096),
                  nullable=False),
        sa.Column('id', sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint('id'))
    op.create_table(
        'availability_zone',
        sa.Column('name', sa.String(length=255), nullable=False),
        sa.Column('description', sa.String(length=255), nullable=True),
        sa.Column('enabled', sa.Boolean(), nullable=False),
        sa.Column('availability_zone_profile_id', sa.String(length=36),
                  nullable=False),
        sa.ForeignKeyConstraint(['availability_zone_profile_id'],
                                ['availability_zone_profile.id'],
                                name='fk_az_az_profile_id'),
        sa.PrimaryKeyConstraint('name'))


def downgrade():
    op.drop_table('availability_zone')
    op.drop_table('availability_zone_profile')
