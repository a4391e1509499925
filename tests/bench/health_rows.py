"""Rows and heartbeats for the health-manager benchmark, the same for
our schema and upstream Octavia's (plain SQLAlchemy Core on the tables
the schema's metadata declares, so upstream's venv imports it too: no
octavia_aa import here).

Every amphora has its own ACTIVE load balancer with one HTTP listener,
one pool and two members, all ONLINE, and an amphora_health row: the
steady state a heartbeat refreshes.  Columns a row must have and that
the overrides do not name get a neutral value of their type.
"""
import datetime
import json
import sys
import time
import uuid

import sqlalchemy as sa

MEMBERS = 2


def _value(column):
    kind = column.type
    if isinstance(kind, sa.Enum) and kind.enums:
        return kind.enums[0]
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, (sa.Integer, sa.Numeric)):
        return 0
    if isinstance(kind, sa.DateTime):
        return datetime.datetime.utcnow()
    if isinstance(kind, sa.String):
        return 'x'
    if isinstance(kind, (sa.JSON, sa.PickleType)):
        return {}
    return None


def row(table, **values):
    """values plus a value for every other NOT NULL column without a
    default."""
    out = dict(values)
    for column in table.columns:
        if column.name in out or column.nullable or \
                column.default is not None or \
                column.server_default is not None:
            continue
        if column.primary_key and isinstance(column.type, sa.Integer):
            continue
        out[column.name] = _value(column)
    return {k: v for k, v in out.items() if k in table.columns}


def populate(engine, metadata, count):
    """count amphorae, each with its load balancer; returns
    [(amphora_id, listener_id, pool_id, [member_id, ...])]."""
    t = metadata.tables
    common = {'provisioning_status': 'ACTIVE', 'operating_status': 'ONLINE',
              'enabled': True, 'project_id': 'bench'}
    now = datetime.datetime.utcnow()
    layout, inserts = [], {name: [] for name in (
        'load_balancer', 'vip', 'amphora', 'pool', 'listener', 'member',
        'amphora_health')}
    for n in range(count):
        lb, amp, lst, pool = (str(uuid.uuid4()) for _ in range(4))
        members = [str(uuid.uuid4()) for _ in range(MEMBERS)]
        inserts['load_balancer'].append(row(
            t['load_balancer'], id=lb, name='lb%d' % n, topology='SINGLE',
            **common))
        if 'vip' in t:
            inserts['vip'].append(row(t['vip'], load_balancer_id=lb,
                                      ip_address='10.0.%d.%d' % divmod(
                                          n, 250)))
        inserts['amphora'].append(row(
            t['amphora'], id=amp, load_balancer_id=lb, status='ALLOCATED',
            role='STANDALONE', compute_id=amp, lb_network_ip='192.0.2.1',
            created_at=now, updated_at=now))
        inserts['listener'].append(row(
            t['listener'], id=lst, load_balancer_id=lb, protocol='HTTP',
            protocol_port=80, default_pool_id=pool, connection_limit=-1,
            **common))
        inserts['pool'].append(row(
            t['pool'], id=pool, load_balancer_id=lb, protocol='HTTP',
            lb_algorithm='ROUND_ROBIN', **common))
        for k, member in enumerate(members):
            inserts['member'].append(row(
                t['member'], id=member, pool_id=pool,
                ip_address='203.0.113.%d' % (k + 10), protocol_port=80,
                weight=1, backup=False, **common))
        inserts['amphora_health'].append(row(
            t['amphora_health'], amphora_id=amp, last_update=now,
            busy=False))
        layout.append((amp, lst, pool, members))
    with engine.begin() as conn:
        for name, rows in inserts.items():
            if rows and name in t:
                conn.execute(t[name].insert(), rows)
    return layout


def heartbeat(entry, seq):
    """The version 3 message an amphora sends in the steady state (pool
    keys '<pool>:<listener>', as upstream's amphora sends them)."""
    amp, lst, pool, members = entry
    return {'id': amp, 'ver': 3, 'seq': seq,
            'listeners': {lst: {'status': 'OPEN', 'stats': {
                'rx': 100, 'tx': 200, 'conns': 1, 'totconns': 2,
                'ereq': 0}}},
            'pools': {'%s:%s' % (pool, lst): {
                'status': 'UP', 'members': {m: 'UP' for m in members}}}}


def timed(layout, ingest, beats, stamp=None):
    """One warm-up round (first heartbeats set statuses), then `beats`
    heartbeats cycling over the amphorae through ingest(message);
    returns {heartbeats_per_s, cpu_ms_per_heartbeat}."""
    for seq, entry in enumerate(layout, 1):
        ingest(stamp(heartbeat(entry, seq)) if stamp else
               heartbeat(entry, seq))
    messages = []
    for n in range(beats):
        msg = heartbeat(layout[n % len(layout)], len(layout) + n + 1)
        messages.append(stamp(msg) if stamp else msg)
    wall, cpu = time.perf_counter(), time.process_time()
    for msg in messages:
        ingest(msg)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return {'heartbeats_per_s': round(beats / wall, 1),
            'cpu_ms_per_heartbeat': round(1000 * cpu / beats, 3)}


def emit(result):
    print(json.dumps(result, sort_keys=True))
    sys.stdout.flush()
