#!/usr/bin/env python
"""UDP and PROMETHEUS figures of an ACTIVE_ACTIVE load balancer (root).

    .venv/bin/python tests/bench/udp.py [--seconds 3]

A throw-away deployment (tests/scenario/deployment.py) with a 3+1 load
balancer, a UDP listener (ROUND_ROBIN, UDP-CONNECT monitor) and a
PROMETHEUS listener (tests/scenario/udp_steps.py); prints one JSON line:
udp_amphorae_serving (amphorae answering 24 UDP flows through the VIP),
udp_rps_via_distributor and udp_rps_direct (answered datagrams per
second, 24 sockets each with one datagram in flight, through the
distributor, and straight to one amphora's MAC), udp_failed_elsewhere
and udp_moved_flows (one amphora killed silent under those flows),
prometheus_scrape_ok (1 when a scrape through the VIP returns HAProxy
metrics).  e2e.py adds the same figures (figures() below) to its line.
"""
import argparse
import json
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.dirname(
    os.path.abspath(__file__)))))

from tests.scenario import deployment as D  # noqa: E402
from tests.scenario import steps  # noqa: E402
from tests.scenario import udp_steps as U  # noqa: E402


def figures(dep, lb, seconds=3):
    """On a created load balancer (steps.create_lb); kills an amphora."""
    out = {}
    U.start_members(dep)
    U.add_listeners(dep, lb)
    steps.wait_lb(dep, lb['id'], check=steps.cluster_is(3), timeout=120)
    got, _ = U.flows(dep, seconds, interval=0)
    out['udp_rps_via_distributor'] = U.rps(got, seconds)
    out['udp_amphorae_serving'] = len({a.split()[1] for a in U.answers(got)
                                       if a != 'lost'})
    amp = next(a for a in steps.live(dep.amphorae(lb['id']))
               if a['role'] == steps.IN_CLUSTER)
    undo = U.to_amphora(dep, amp)
    try:
        got, _ = U.flows(dep, seconds, interval=0)
    finally:
        undo()
    out['udp_rps_direct'] = U.rps(got, seconds)
    text = U.scrape(dep, U.SOURCES[0])
    out['prometheus_scrape_ok'] = int('haproxy_process_' in text)
    kill = U.kill_amphora(dep, lb['id'])
    print('udp kill', kill, file=sys.stderr, flush=True)
    out['udp_failed_elsewhere'] = kill['failed_elsewhere']
    out['udp_moved_flows'] = kill['moved']
    out['udp_stuck_flows'] = len(kill['stuck'])
    return out


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('--seconds', type=int, default=3)
    args = parser.parse_args()
    dep = D.Deployment()
    result = {}
    try:
        dep.start()
        lb = steps.create_lb(dep)
        result.update(figures(dep, lb, args.seconds))
    finally:
        dep.close()
    print(json.dumps(result, sort_keys=True))


if __name__ == '__main__':
    main()
