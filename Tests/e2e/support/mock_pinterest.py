#!/usr/bin/env python3
"""A stand-in for Pinterest's API that misbehaves on demand, for the end-to-end fault tests.

Usage: mock_pinterest.py PORT MODE_FILE

Listens on 127.0.0.1:PORT only. Before each request it reads MODE_FILE, which contains two words:
how POST /v5/oauth/token responds and how GET /v5/user_account responds (see TOKEN and USER below).
It exits by itself after an hour, so a test that dies cannot leave it behind for long.
"""
import http.server
import json
import sys
import threading
import time

PORT = int(sys.argv[1])
MODE_FILE = sys.argv[2]

GOOD_TOKEN = {"access_token": "pina_mock", "token_type": "bearer", "expires_in": 2592000,
              "refresh_token": "pinr_mock", "refresh_token_expires_in": 5184000,
              "scope": "user_accounts:read boards:read pins:read", "response_type": "authorization_code"}
GOOD_USER = {"id": "5000000000000000001", "username": "mock_pinner", "account_type": "PINNER",
             "profile_image": "https://i.pinimg.example/mock.jpg", "board_count": 1}


def body(value):
    return json.dumps(value).encode()


# Each mode is (status, headers, body) or a callable that takes the handler and responds itself.
def slow(seconds, then):
    def answer(handler):
        time.sleep(seconds)
        handler.send(*then)
    return answer


def drip(handler):
    """Sends a valid start, then one byte a second: only a total timeout ends it."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", "100000")
    handler.end_headers()
    for _ in range(60):
        try:
            handler.wfile.write(b" ")
            handler.wfile.flush()
        except OSError:
            return
        time.sleep(1)


def reset(handler):
    """Closes the connection without any response."""
    handler.close_connection = True
    handler.connection.shutdown(2)


def huge(handler):
    """Valid JSON of 8 MiB, sent in pieces, over any sane response limit."""
    handler.send_response(200)
    handler.send_header("Content-Type", "application/json")
    handler.end_headers()
    try:
        handler.wfile.write(b'{"id":"5000000000000000001","padding":"')
        chunk = b"x" * 65536
        for _ in range(128):
            handler.wfile.write(chunk)
        handler.wfile.write(b'"}')
    except OSError:
        pass


ERROR_429 = (429, {}, body({"code": 8, "message": "Rate limit exceeded.", "status": "failure"}))
TOKEN = {
    "ok": (200, {}, body(GOOD_TOKEN)),
    "500": (500, {}, b"<html>Internal Server Error</html>"),
    "429": ERROR_429,
    "invalid_json": (200, {}, b'{"access_token": "pina_mock", '),
    "empty": (200, {}, b""),
    "not_object": (200, {}, b'["pina_mock"]'),
    "redirect": (302, {"Location": "http://127.0.0.1:9/v5/oauth/token"}, b""),
    "expires_max": (200, {}, body(dict(GOOD_TOKEN, expires_in=9223372036854775807))),
    "expires_negative": (200, {}, body(dict(GOOD_TOKEN, refresh_token_expires_in=-1))),
    "slow": slow(30, (200, {}, body(GOOD_TOKEN))),
    "drip": drip,
    "reset": reset,
    "huge": huge,
}
USER = {
    "ok": (200, {}, body(GOOD_USER)),
    "500": (503, {}, b"unavailable"),
    "429": ERROR_429,
    "invalid_json": (200, {}, b"{\"id\": \"5000000000000000001\""),
    "redirect": (301, {"Location": "http://127.0.0.1:9/v5/user_account"}, b""),
    "slow": slow(30, (200, {}, body(GOOD_USER))),
    "drip": drip,
    "reset": reset,
    "huge": huge,
    "deep": (200, {}, b'{"id":"5000000000000000001","about":' + b"[" * 5000 + b"]" * 5000 + b"}"),
    "id_path": (200, {}, body(dict(GOOD_USER, id="../../../etc/passwd"))),
    "id_huge": (200, {}, body(dict(GOOD_USER, id="9" * 5000))),
    "id_number": (200, {}, b'{"id": 5000000000000000002, "username": "numeric_id"}'),
    "markup": (200, {}, body(dict(GOOD_USER, id="5000000000000000003",
                                   username="<script>alert(1)</script>\r\nX-Injected: yes",
                                   business_name="\"><img src=x onerror=alert(1)>"))),
}


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format, *args):
        pass

    def modes(self):
        try:
            with open(MODE_FILE) as file:
                token, user = file.read().split()[:2]
                return token, user
        except (OSError, ValueError):
            return "ok", "ok"

    def send(self, status, headers, payload):
        self.send_response(status)
        headers = dict(headers)
        headers.setdefault("Content-Type", "application/json")
        headers["Content-Length"] = str(len(payload))
        headers["x-pinterest-rid"] = "mock-rid"
        for name, value in headers.items():
            self.send_header(name, value)
        self.end_headers()
        self.wfile.write(payload)

    def answer(self, table, mode):
        behaviour = table.get(mode, table["ok"])
        if callable(behaviour):
            behaviour(self)
        else:
            self.send(*behaviour)

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(min(length, 1 << 20))
        if self.path == "/v5/oauth/token":
            self.answer(TOKEN, self.modes()[0])
        else:
            self.send(404, {}, body({"code": 404, "message": "Not found"}))

    def do_GET(self):
        if self.path == "/v5/user_account":
            self.answer(USER, self.modes()[1])
        else:
            self.send(404, {}, body({"code": 404, "message": "Not found"}))


server = http.server.ThreadingHTTPServer(("127.0.0.1", PORT), Handler)
server.daemon_threads = True
threading.Timer(3600, server.shutdown).start()
server.serve_forever()
