"""Member back end for tests: answers every GET with its name.

    server.py ADDRESS PORT NAME [json]

The body is the name, or with ``json`` one object {"member": NAME,
"peer": "ip"} where peer is the TCP peer (the amphora's member address).
Every answer also carries an X-Member header.  Prints "ready" once it
listens.
"""
import http.server
import json
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body in separate writes + delayed ACK = 40 ms stalls.
    disable_nagle_algorithm = True

    def do_GET(self):
        if self.server.json:
            body = json.dumps({'member': self.server.name,
                               'peer': self.client_address[0]}) + '\n'
            kind = 'application/json'
        else:
            body, kind = self.server.name + '\n', 'text/plain'
        body = body.encode()
        self.send_response(200)
        self.send_header('Content-Type', kind)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Member', self.server.name)
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def handle_error(self, request, client_address):
        pass      # health checks reset their connections: not news


def main():
    ip, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = Server((ip, port), Handler)
    server.name = name
    server.json = sys.argv[4:5] == ['json']
    print('ready', flush=True)
    server.serve_forever()


if __name__ == '__main__':
    main()
