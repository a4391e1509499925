"""The upstream side of tests/bench/health.py, run by the python of the
upstream Octavia 19.0.0 venv (PYTHONPATH the repository, for
tests/bench/health_rows.py only).

Its tables come from its models (its migrations do not run on SQLite)
plus the lookup rows its foreign keys need (its migrations insert them);
then the same rows and heartbeats as ours, each heartbeat through
UpdateHealthDb().update_health and update_stats, what its
UDPStatusGetter.check() hands its two executors.  Prints one JSON line.
"""
import argparse
import time

from octavia.common import config  # noqa: F401 (registers the options)
from octavia.db import base_models
from octavia.db import models as _models  # noqa: F401 (fills the metadata)
from oslo_config import cfg
import sqlalchemy as sa

from tests.bench import health_rows

# Every value a lookup table (a name primary key) may be asked for here.
LOOKUPS = ('ACTIVE', 'ONLINE', 'OFFLINE', 'DEGRADED', 'ERROR', 'NO_MONITOR',
           'DRAINING', 'PENDING_CREATE', 'PENDING_UPDATE', 'PENDING_DELETE',
           'DELETED', 'HTTP', 'ROUND_ROBIN', 'SINGLE', 'STANDALONE',
           'ALLOCATED', 'BOOTING', 'READY')


def prepare(url):
    engine = sa.create_engine(url)
    metadata = base_models.BASE.metadata
    metadata.create_all(engine)
    with engine.begin() as conn:
        for table in metadata.sorted_tables:
            pk = [c.name for c in table.primary_key.columns]
            if pk == ['name'] and len(table.columns) <= 2:
                conn.execute(table.insert(), [{'name': v} for v in LOOKUPS])
    return engine, metadata


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--size', type=int, required=True)
    parser.add_argument('--beats', type=int, required=True)
    parser.add_argument('--db', required=True)
    args = parser.parse_args()
    url = 'sqlite:///%s' % args.db
    engine, metadata = prepare(url)
    layout = health_rows.populate(engine, metadata, args.size)
    engine.dispose()
    cfg.CONF([], project='octavia', default_config_files=[])
    cfg.CONF.set_override('connection', url, 'database')
    # oslo.db gives a SQLite file a NullPool but passes it octavia's
    # pool_timeout default (10): the engine is refused.  Unset.
    cfg.CONF.set_override('pool_timeout', None, 'database')
    # Not too slow to be recorded (update_health drops a heartbeat it
    # takes longer than one interval to reach).
    cfg.CONF.set_override('heartbeat_interval', 3600, 'health_manager')
    from octavia.amphorae.drivers.health import heartbeat_udp
    updater = heartbeat_udp.UpdateHealthDb()

    def ingest(message):
        message['recv_time'] = time.time()
        updater.update_health(message, '192.0.2.1')
        heartbeat_udp.update_stats(message)
    result = health_rows.timed(layout, ingest, args.beats)
    # Each timed heartbeat did reach the database.
    check = sa.create_engine(url)
    with check.connect() as conn:
        result['health_rows'] = conn.execute(sa.text(
            'SELECT count(*) FROM amphora_health')).scalar()
        result['stats_rows'] = conn.execute(sa.text(
            'SELECT count(*) FROM listener_statistics')).scalar()
    health_rows.emit(result)


if __name__ == '__main__':
    main()
