"""UDP member back end for tests: answers every datagram with
"NAME PEER-IP" (the peer is the amphora's member address when the
amphora masquerades).

    udpserver.py ADDRESS PORT NAME
"""
import socket
import sys


def main():
    address, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    family = socket.AF_INET6 if ':' in address else socket.AF_INET
    s = socket.socket(family, socket.SOCK_DGRAM)
    s.bind((address, port))
    print('ready', flush=True)
    while True:
        data, peer = s.recvfrom(2048)
        s.sendto(('%s %s' % (name, peer[0])).encode(), peer)


if __name__ == '__main__':
    main()
