"""Member rows."""
import sqlalchemy as sa

from octavia_aa.db import models


def delete_many(session, member_ids):
    session.execute(sa.delete(models.Member).where(
        models.Member.id.in_(member_ids)))
