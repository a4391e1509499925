#!/usr/bin/env python3
"""The build timeline from a service log (debug on): when each task of
each flow ran, how long, and how long the netns machine lock was waited
for and held.

    tools/build_timeline.py all.log [--since EPOCH]

Reads the 'timeline' lines that controller/worker/engine.py (logger
octavia_aa.timeline) and compute/drivers/netns.py write.  Prints one line
per task run (start offset, duration, load balancer, task), then the
total time per task name and the lock figures, so what runs side by side
and what waits is read, not guessed.
"""
import argparse
import collections
import re

TASK = re.compile(r'timeline (\d+\.\d+) (\S+) (\S+) (\S+) (\S+)')
LOCK = re.compile(r'timeline netns lock waited (\d+\.\d+) s, held '
                  r'(\d+\.\d+) s')


def parse(lines, since=0.0):
    running, runs, locks = {}, [], []
    for line in lines:
        m = TASK.search(line)
        if m:
            t, lb, task, state, _thread = m.groups()
            t = float(t)
            if t < since:
                continue
            if state == 'RUNNING':
                running[(lb, task)] = t
            elif (lb, task) in running:
                start = running.pop((lb, task))
                runs.append((start, t - start, lb, task, state))
            continue
        m = LOCK.search(line)
        if m:
            locks.append((float(m.group(1)), float(m.group(2))))
    return sorted(runs), locks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument('log')
    parser.add_argument('--since', type=float, default=0.0)
    parser.add_argument('--quiet', action='store_true',
                        help='totals only')
    args = parser.parse_args()
    with open(args.log, errors='replace') as f:
        runs, locks = parse(f, args.since)
    if not runs:
        print('no timeline lines (is debug on?)')
        return
    t0 = runs[0][0]
    if not args.quiet:
        for start, took, lb, task, state in runs:
            print('%8.3f %7.3f %s %s%s' % (
                start - t0, took, lb[:8], task,
                '' if state == 'SUCCESS' else ' ' + state))
    totals = collections.defaultdict(lambda: [0, 0.0, 0.0])
    for _start, took, _lb, task, _state in runs:
        name = task.split('-')[-1]
        totals[name][0] += 1
        totals[name][1] += took
        totals[name][2] = max(totals[name][2], took)
    print('task: count, total s, max s')
    for name, (count, total, most) in sorted(
            totals.items(), key=lambda kv: -kv[1][1]):
        print('  %-28s %4d %8.3f %7.3f' % (name, count, total, most))
    if locks:
        print('netns lock: %d takes, waited %.3f s in all (max %.3f), '
              'held %.3f s in all (max %.3f)' % (
                  len(locks), sum(w for w, _ in locks),
                  max(w for w, _ in locks), sum(h for _, h in locks),
                  max(h for _, h in locks)))


if __name__ == '__main__':
    main()
