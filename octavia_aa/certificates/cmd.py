"""``octavia-aa-certs``: create the two CAs and issue certificates.

    octavia-aa-certs init   CA_DIR
    octavia-aa-certs agent  CA_DIR AGENT_UUID OUT.pem [--ip IP ...]
    octavia-aa-certs client CA_DIR OUT.pem [--cn NAME]
"""
import argparse
import sys
import uuid

from octavia_aa.certificates import local


def _uuid(value):
    # The controller checks the agent's name against its UUID, so a typo
    # here would only surface as a refused connection much later.
    return str(uuid.UUID(value))


def main(argv=None):
    parser = argparse.ArgumentParser(prog='octavia-aa-certs')
    sub = parser.add_subparsers(dest='command', required=True)
    p = sub.add_parser('init', help='create the server CA and the client CA')
    p.add_argument('ca_dir')
    p.add_argument('--days', type=int, default=3650)
    p = sub.add_parser('agent', help='issue an agent (server) certificate '
                       'named after the agent UUID')
    p.add_argument('ca_dir')
    p.add_argument('agent_id', type=_uuid)
    p.add_argument('out', help='PEM file for certificate + key')
    p.add_argument('--ip', action='append', default=[],
                   help='IP address SAN (repeatable)')
    p.add_argument('--days', type=int, default=30)
    p = sub.add_parser('client', help='issue the controller client '
                       'certificate, signed by the client CA')
    p.add_argument('ca_dir')
    p.add_argument('out', help='PEM file for certificate + key')
    p.add_argument('--cn', default='octavia-aa-controller')
    p.add_argument('--days', type=int, default=365)
    args = parser.parse_args(argv)
    try:
        if args.command == 'init':
            for which, path in local.init_cas(args.ca_dir, args.days).items():
                print('%s %s' % (which, path))
        elif args.command == 'agent':
            cert = local.issue_agent(args.ca_dir, args.agent_id, args.out,
                                     args.ip, args.days)
            print('agent %s expires %s' % (args.out,
                                           cert.not_valid_after_utc))
        else:
            cert = local.issue_controller(args.ca_dir, args.out, args.cn,
                                          args.days)
            print('client %s expires %s' % (args.out,
                                            cert.not_valid_after_utc))
    except (OSError, ValueError) as exc:
        print('octavia-aa-certs: %s' % exc, file=sys.stderr)
        return 1
    return 0


if __name__ == '__main__':
    sys.exit(main())
