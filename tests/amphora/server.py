"""Member back end for tests: answers every GET with its name."""
import http.server
import sys


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    # Headers and body in separate writes + delayed ACK = 40 ms stalls.
    disable_nagle_algorithm = True

    def do_GET(self):
        body = (self.server.name + '\n').encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Member', self.server.name)
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass      # health checks reset their connections: not news


def main():
    ip, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    server = Server((ip, port), Handler)
    server.name = name
    server.serve_forever()


if __name__ == '__main__':
    main()
