"""Quota rows."""
import sqlalchemy as sa

from octavia_aa.db import models


def of_projects(session, project=None):
    """The quota rows of `project`, or of every project (None)."""
    stmt = sa.select(models.Quotas)
    if project is not None:
        stmt = stmt.where(models.Quotas.project_id == project)
    return list(session.scalars(stmt))
