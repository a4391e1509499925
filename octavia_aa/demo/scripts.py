"""The small programs the demo runs inside its namespaces (only the
standard library, so any python3 will do)."""

# Runs in the member namespace, one process per member address; only the
# standard library, so any python3 will do.
MEMBER_SERVER = r'''
import http.server, socket, sys
ip, port, name = sys.argv[1], int(sys.argv[2]), sys.argv[3]

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = 'HTTP/1.1'
    disable_nagle_algorithm = True

    def do_GET(self):
        peer = self.client_address[0]
        body = ('%s (%s) answered; the request came from %s\n'
                % (name, ip, peer)).encode()
        self.send_response(200)
        self.send_header('Content-Type', 'text/plain')
        self.send_header('Content-Length', str(len(body)))
        self.send_header('X-Member', name)
        self.send_header('X-Peer', peer)
        self.end_headers()
        self.wfile.write(body)

    do_HEAD = do_GET

    def log_message(self, *args):
        pass

class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    address_family = socket.AF_INET6 if ':' in ip else socket.AF_INET

    def handle_error(self, request, client_address):
        pass

Server((ip, port), Handler).serve_forever()
'''

# Runs in the client namespace: N requests, a new connection each (so a
# new source port each), one JSON line with what answered.
CLIENT = r'''
import http.client, json, sys, time
vip, port, n, warmup = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
    float(sys.argv[4])

def one():
    c = http.client.HTTPConnection(vip, port, timeout=3)
    try:
        c.request('GET', '/')
        r = c.getresponse()
        r.read()
        return {'status': r.status, 'member': r.getheader('X-Member'),
                'peer': r.getheader('X-Peer')}
    finally:
        c.close()

# Wait (up to warmup seconds) for a first answer.
deadline = time.monotonic() + warmup
while warmup > 0:
    try:
        last = one()
        if last['status'] == 200:
            break
    except Exception as exc:
        last = '%s: %s' % (type(exc).__name__, exc)
    if time.monotonic() > deadline:
        print(json.dumps({'warmup': str(last)}))
        sys.exit(0)
    time.sleep(0.2)
out = []
for _ in range(n):
    try:
        out.append(one())
    except Exception as exc:
        out.append({'error': '%s: %s' % (type(exc).__name__, exc)})
print(json.dumps(out))
'''

# Runs in the member namespace: wait until every server accepts.
WAIT_LISTEN = r'''
import socket, sys, time
deadline = time.monotonic() + float(sys.argv[1])
port = int(sys.argv[2])
for ip in sys.argv[3:]:
    while True:
        try:
            socket.create_connection((ip, port), 0.5).close()
            break
        except OSError:
            if time.monotonic() > deadline:
                sys.exit('%s:%d does not accept connections' % (ip, port))
            time.sleep(0.05)
'''
