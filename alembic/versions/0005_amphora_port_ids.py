"""amphora port ids with upstream's meaning

Until now `ha_port_id` held the amphora's own front-end port and
`vrrp_port_id` was never written.  Upstream Octavia (and its clients)
read `vrrp_port_id` as the amphora's own port on the VIP network and
`ha_port_id` as the VIP's port the amphorae share: move the amphora's
port over and fill `ha_port_id` from the load balancer's VIP.

Revision ID: 0005_amphora_port_ids
Revises: 0004_heartbeat_order
Create Date: 2026-12-04
"""
from alembic import op
import sqlalchemy as sa

revision = '0005_amphora_port_ids'
down_revision = '0004_heartbeat_order'
branch_labels = None
depends_on = None

amphora = sa.table('amphora', sa.column('load_balancer_id'),
                   sa.column('vrrp_port_id'), sa.column('ha_port_id'))
vip = sa.table('vip', sa.column('load_balancer_id'), sa.column('port_id'))


def upgrade():
    op.execute(amphora.update()
               .where(amphora.c.vrrp_port_id.is_(None))
               .values(vrrp_port_id=amphora.c.ha_port_id))
    op.execute(amphora.update().values(ha_port_id=(
        sa.select(vip.c.port_id)
        .where(vip.c.load_balancer_id == amphora.c.load_balancer_id)
        .scalar_subquery())))


def downgrade():
    op.execute(amphora.update().values(ha_port_id=amphora.c.vrrp_port_id,
                                       vrrp_port_id=None))
