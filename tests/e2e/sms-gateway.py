#!/usr/bin/env python3
# sms-gateway.py PORT FILE - a loopback stand-in for an HTTP SMS gateway in
# the e2e tests: every POST body is appended to FILE as one line and
# answered 200; a POST to /fail is answered 500 (a gateway that is down).
import http.server
import sys

port, path = int(sys.argv[1]), sys.argv[2]


class Handler(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get('Content-Length', 0)))
        if self.path == '/fail':
            self.send_response(500)
            self.end_headers()
            return
        with open(path, 'ab') as f:
            f.write(self.headers.get('Content-Type', '').encode() + b' ' + body + b'\n')
        self.send_response(200)
        self.send_header('Content-Type', 'application/json')
        self.end_headers()
        self.wfile.write(b'{"ok":true}')

    def log_message(self, *args):
        pass


http.server.HTTPServer(('127.0.0.1', port), Handler).serve_forever()
