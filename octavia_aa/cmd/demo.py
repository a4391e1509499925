"""octavia-aa-demo: an active-active load balancer in one step (what
it does: octavia_aa/demo/__init__.py)."""
import argparse
import os
import shlex
import subprocess
import sys

from octavia_aa.demo import common
from octavia_aa.demo import loadbalancer as lb
from octavia_aa.demo import namespaces


def parse_args(argv):
    p = argparse.ArgumentParser(
        prog='octavia-aa-demo',
        description='An active-active load balancer in one step, against '
                    'a running octavia-aa-all with the netns data plane '
                    '(run as root).')
    p.add_argument('--config-file', help='the config file of the running '
                   'service (for [netns] name_prefix, the subnets and the '
                   'API port)')
    p.add_argument('--endpoint', help='API endpoint (default: from the '
                   'config, http://127.0.0.1:9876)')
    p.add_argument('--vip-subnet', default='public-subnet')
    p.add_argument('--member-subnet', default='private-subnet')
    p.add_argument('--requests', type=int, default=60,
                   help='requests to send to the VIP (default 60)')
    mode = p.add_mutually_exclusive_group()
    mode.add_argument('--traffic', action='store_true',
                      help='only send the requests again and show which '
                           'amphorae served them')
    mode.add_argument('--kill-amphora', nargs='?', const='', metavar='ID',
                      help='kill an amphora (default: an IN_CLUSTER one), '
                           'send the requests again and watch the '
                           'replacement')
    mode.add_argument('--cleanup', action='store_true',
                      help='delete everything the demo made')
    return p.parse_args(argv)


def plan_cf(args):
    """The --config-file argument to repeat in the hints."""
    return (' --config-file %s' % shlex.quote(args.config_file)
            if args.config_file else '')


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    try:
        common.load_config(args.config_file)
        endpoint = args.endpoint
        if not endpoint:
            host = common.CONF.api_settings.bind_host
            if host in ('0.0.0.0', '::', ''):
                host = '127.0.0.1'
            if ':' in host:
                host = '[%s]' % host
            endpoint = 'http://%s:%d' % (
                host, common.CONF.api_settings.bind_port)
        plan = common.Plan(args)
        plan.cf_arg = plan_cf(args)
        if os.geteuid() != 0:
            raise common.DemoError(
                'run as root: the demo makes network namespaces')
        cli = lb.Cli(endpoint)
        if args.cleanup:
            return 0 if lb.cleanup(plan, cli) else 1
        if args.kill_amphora is not None:
            ok = lb.kill_amphora(plan, cli, args.kill_amphora, args.requests)
            return 0 if ok else 1
        if args.traffic:
            if not lb.find_lb(cli):
                raise common.DemoError(
                    'no demo load balancer: run octavia-aa-demo first')
            _served, ok, vip = lb.traffic(plan, cli, args.requests, warmup=0)
            return 0 if ok == args.requests else 1
        if lb.find_lb(cli):
            raise common.DemoError(
                'the demo load balancer %s exists already: '
                'octavia-aa-demo --traffic sends requests again, '
                '--cleanup removes it' % common.LB)
        common.say('export OS_AUTH_TYPE=none OS_ENDPOINT=%s' % endpoint)
        common.say('\n== 0. Member servers and a client, in their own '
                   'namespaces')
        namespaces.make_namespace(plan, plan.member_ns, plan.member_veth,
                                  plan.member_subnet, plan.member_ips)
        namespaces.start_members(plan)
        namespaces.make_namespace(plan, plan.client_ns, plan.client_veth,
                                  plan.vip_subnet, [plan.client_ip])
        lb.create(plan, cli)
        served, ok, vip = lb.traffic(plan, cli, args.requests)
        lb.hints(plan, vip, endpoint)
        return 0 if ok == args.requests else 1
    except (common.DemoError, subprocess.TimeoutExpired) as exc:
        if isinstance(exc, subprocess.TimeoutExpired):
            exc = '%s timed out' % shlex.join(exc.cmd)
        common.say('error: %s' % exc)
        if not (args.cleanup or args.traffic or
                args.kill_amphora is not None):
            common.say('(octavia-aa-demo%s --cleanup removes what the demo '
                       'made)' % plan_cf(args))
        return 1


if __name__ == '__main__':
    sys.exit(main())
