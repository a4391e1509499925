"""Stand-in amphora: answers every HTTP request with its own name.

Run inside an amphora netns: ``python ampserver.py NAME PORT``.
"""
import http.server
import socket
import socketserver
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'     # keep-alive
    # Headers and body in separate writes stall 40 ms on delayed ACK.
    disable_nagle_algorithm = True

    def do_GET(self):
        body = (self.server.name + '\n').encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Amp', self.server.name)
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    # '::' with v6only off: one socket for the IPv4 and the IPv6 VIP.
    address_family = socket.AF_INET6
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 256


if __name__ == '__main__':
    srv = Server(('::', int(sys.argv[2])), Handler)
    srv.name = sys.argv[1]
    print('ready', flush=True)
    srv.serve_forever()
