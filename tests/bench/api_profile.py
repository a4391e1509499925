"""Where the API's time goes, in-process (no server, no client): cProfile
of a full list of --lbs load balancers, a show, a ?limit=50 list and a
create, on a SQLite database in a temp directory with noop drivers.

Function calls and SQL statements per request are counted exactly (they
do not depend on the machine's load); CPU ms per request does.  Prints
the top functions by own time with --top, and last one JSON object.

    .venv/bin/python tests/bench/api_profile.py [--lbs 500] [--top 25]
"""
import argparse
import cProfile
import io
import json
import os
import pstats
import sys
import tempfile
import time

import sqlalchemy as sa
import webtest

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))
from tests import noop  # noqa: E402
from tests.bench import api_sides  # noqa: E402

LB = '/v2/lbaas/loadbalancers'


def setup(state):
    from octavia_aa.common import config
    from octavia_aa.db import api as db_api
    from octavia_aa.db import migration
    conf = config.CONF
    conf([], project='octavia-aa', default_config_files=[])
    conf.set_override('state_path', state)
    conf.set_override('connection', 'sqlite:///%s/aa.db' % state, 'database')
    conf.set_override('transport_url', 'fake://')
    conf.set_override('subnets', [api_sides.SUBNET_NAME], 'networking')
    for name, value, group in noop.OVERRIDES:
        conf.set_override(name, value, group)
    config.subnet_group(api_sides.SUBNET_NAME)
    conf.set_override('cidr', '198.51.100.0/22',
                      'subnet:' + api_sides.SUBNET_NAME)
    migration.upgrade()
    from octavia_aa.api import app
    statements = [0]
    sa.event.listen(db_api.get_engine(), 'before_cursor_execute',
                    lambda *a: statements.__setitem__(0, statements[0] + 1))
    return webtest.TestApp(app.setup_app()), statements


def profiled(name, n, call, statements, top, out):
    prof = cProfile.Profile()
    s0 = statements[0]
    cpu0 = time.process_time()
    prof.enable()
    for i in range(n):
        call(i)
    prof.disable()
    cpu = time.process_time() - cpu0
    stats = pstats.Stats(prof)
    out['%s_calls' % name] = round(stats.total_calls / n)
    out['%s_sql' % name] = round((statements[0] - s0) / n, 1)
    out['%s_cpu_ms' % name] = round(cpu * 1000 / n, 2)
    if top:
        buf = io.StringIO()
        stats.stream = buf
        stats.sort_stats('tottime').print_stats(top)
        print('=== %s (%d requests)' % (name, n))
        print(buf.getvalue().split('\n', 6)[-1][:6000])


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--lbs', type=int, default=500)
    parser.add_argument('--top', type=int, default=0)
    args = parser.parse_args()
    api, statements = setup(tempfile.mkdtemp(prefix='aa-apiprof-'))
    body = {'loadbalancer': {'vip_subnet_id': api_sides.subnet_id(),
                             'project_id': 'bench-project'}}

    def create(i):
        body['loadbalancer']['name'] = 'lb%d' % i
        api.post_json(LB, body, status=201)
    for i in range(args.lbs - 50):
        create(i)
    out = {'lbs': args.lbs}
    profiled('create', 50, create, statements, args.top, out)
    ids = [lb['id'] for lb in api.get(LB + '?fields=id').json[
        'loadbalancers']]
    profiled('show', 200, lambda i: api.get('%s/%s' % (LB, ids[i % len(ids)])),
             statements, args.top, out)
    profiled('list', 10, lambda i: api.get(LB), statements, args.top, out)
    profiled('limit50', 50, lambda i: api.get(LB + '?limit=50'),
             statements, args.top, out)
    print(json.dumps(out))


if __name__ == '__main__':
    main()
