"""Delete the conntrack entries of UDP members that went down, run as a
short-lived child process like netplug (pyroute2 stays out of the
agent's memory).  Input on stdin: [[mark, address, port], ...]; the
kernel filters by the conntrack mark (the member's number in its load
balancer's table), the reply source confirms the member, since marks
repeat across load balancers."""
import json
import socket
import sys

from pyroute2 import Conntrack


def main():
    wanted = json.load(sys.stdin)
    deleted = 0
    with Conntrack() as ct:
        for mark, address, port in wanted:
            for entry in list(ct.dump_entries(mark=int(mark))):
                reply = entry.tuple_reply
                if reply.proto == socket.IPPROTO_UDP and \
                        reply.saddr == address and reply.sport == int(port):
                    ct.delete(entry)
                    deleted += 1
    json.dump({'deleted': deleted}, sys.stdout)


if __name__ == '__main__':
    main()
