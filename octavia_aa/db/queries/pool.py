"""Pool rows."""
import sqlalchemy as sa

from octavia_aa.db import models


def detach(session, pool_ids):
    """Nothing may point at pools about to go (listener defaults and L7
    redirects hold plain foreign keys, not cascades)."""
    if not pool_ids:
        return
    session.execute(sa.update(models.Listener)
                    .where(models.Listener.default_pool_id.in_(pool_ids))
                    .values(default_pool_id=None))
    session.execute(sa.update(models.L7Policy)
                    .where(models.L7Policy.redirect_pool_id.in_(pool_ids))
                    .values(redirect_pool_id=None))
    session.flush()


def health_monitor_id_column():
    """The pool's health monitor id as a column (a list filter)."""
    return sa.select(models.HealthMonitor.id).where(
        models.HealthMonitor.pool_id == models.Pool.id).scalar_subquery()
