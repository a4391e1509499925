"""controller claims (cluster manager and workers)

Revision ID: 0002_controller_claim
Revises: 0001_initial
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = '0002_controller_claim'
down_revision = '0001_initial'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'controller_claim',
        sa.Column('load_balancer_id', sa.String(length=36), nullable=False),
        sa.Column('owner', sa.String(length=255), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint('load_balancer_id'))


def downgrade():
    op.drop_table('controller_claim')
