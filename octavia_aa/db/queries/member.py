"""Member rows."""
import sqlalchemy as sa

from octavia_aa.db import models


def delete_many(session, member_ids):
    session.execute(sa.delete(models.Member).where(
        models.Member.id.in_(member_ids)))


def same_address(session, pool_id, ip_address, protocol_port):
    """The id of the pool's member at that address and port, or None."""
    return session.scalar(sa.select(models.Member.id).where(
        models.Member.pool_id == pool_id,
        models.Member.ip_address == ip_address,
        models.Member.protocol_port == protocol_port))
