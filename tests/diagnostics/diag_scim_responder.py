"""A real HTTPS SCIM responder on loopback that can play every failure the connection test names.

Modes: ok, 401, 403, 404 (invalid resource), 500 (with a body), wrong-cert, expired-cert, refused
(a closed port), timeout (accepts, never answers), not-scim (200 with text/html). In "ok" mode a
wrong token gets 401 and a wrong-case connector name gets 404, as the host does. Every socket has a
timeout and every thread is joined, so a test cannot hang.
"""

from __future__ import annotations

import datetime as dt
import json
import socket
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization

from app.certs.generate import GenerationRequest, KeySpec, generate

TOKEN = "s3cret-token-for-tests-0123456789"
CONNECTOR = "CSV"
TIMEOUT = 1.0  # client timeout used in tests: short, so "timeout" mode is quick
HEADERS = {"Last-Successful-Import": "2025-06-01T10:00:00Z",
           "Last-Successful-Export": "2025-06-01T10:05:00Z",
           "Last-Successful-Cache-Change": "2025-06-01T10:06:00Z"}
ERROR_BODY = "System.NullReferenceException: Object reference not set to an instance of an object."


def make_cert(now: dt.datetime, days: int):
    return generate(GenerationRequest(("localhost",), KeySpec.P256, days), now=now)


def _context(tmp_path, cert) -> ssl.SSLContext:
    cert_file, key_file = tmp_path / "srv.crt", tmp_path / "srv.key"
    cert_file.write_bytes(cert.cert_pem())
    key_file.write_bytes(cert.private_key.private_bytes(  # test-only key, deleted with tmp_path
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert_file, key_file)
    return context


class _Handler(BaseHTTPRequestHandler):
    server_version = "Microsoft-HTTPAPI/2.0"
    timeout = 5

    def log_message(self, *args):  # keep test output quiet
        pass

    def _send(self, status: int, body: str, kind: str = "application/scim+json", extra=None):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", kind)
        self.send_header("Content-Length", str(len(data)))
        for k, v in (extra or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        responder = self.server.responder
        responder.requests.append((self.path, self.headers.get("Authorization")))
        mode = responder.mode
        if mode == "401":
            return self._send(401, "", "text/plain")
        if mode == "403":
            return self._send(403, "", "text/plain")
        if mode == "404":
            return self._send(404, '{"detail": "invalid resource"}', "application/json")
        if mode == "500":
            return self._send(500, ERROR_BODY + " token=" + TOKEN, "text/plain")
        if mode == "not-scim":
            return self._send(200, "<html>IIS</html>", "text/html")
        if not self.path.startswith(f"/ecma2host_{CONNECTOR}/scim/"):
            return self._send(404, "invalid resource", "text/plain")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            return self._send(401, "", "text/plain")
        if "/cache" in self.path:
            if mode == "importing":
                return self._send(500, "The ECMA host is currently importing data from the target "
                                  "application.", "text/plain")
            users = [] if mode == "empty-cache" else [{"id": str(i), "userName": f"u{i}"} for i in range(3)]
            return self._send(200, json.dumps(users), "application/json", extra=HEADERS)
        if "/Schemas" in self.path:
            body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 1,
                    "Resources": [{"id": "urn:ietf:params:scim:schemas:core:2.0:User"}]}
        else:
            body = {"schemas": ["urn:ietf:params:scim:api:messages:2.0:ListResponse"], "totalResults": 0,
                    "Resources": [], "startIndex": 1, "itemsPerPage": 0}
        return self._send(200, json.dumps(body), extra=HEADERS)


class ScimResponder:
    def __init__(self, tmp_path, certs, mode: str):
        self.mode, self.requests = mode, []
        self._threads: list[threading.Thread] = []
        self._server = self._raw = None
        if mode == "refused":
            s = socket.create_server(("127.0.0.1", 0))
            self.port = s.getsockname()[1]
            s.close()  # nothing listens there now
            return
        if mode == "timeout":
            self._raw = socket.create_server(("127.0.0.1", 0))
            self._raw.settimeout(5)
            self.port = self._raw.getsockname()[1]
            self._held: list[socket.socket] = []
            self._stop = threading.Event()
            self._threads.append(threading.Thread(target=self._hold, daemon=True))
            self._threads[-1].start()
            return
        cert = certs[{"wrong-cert": "other", "expired-cert": "expired"}.get(mode, "good")]
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.responder = self
        self._server.socket = _context(tmp_path, cert).wrap_socket(self._server.socket, server_side=True)
        self.port = self._server.server_address[1]
        self._threads.append(threading.Thread(target=self._server.serve_forever,
                                              kwargs={"poll_interval": 0.05}, daemon=True))
        self._threads[-1].start()

    def _hold(self):
        try:
            conn, _ = self._raw.accept()  # accept, then say nothing until the test ends
            self._held.append(conn)
            self._stop.wait(5)
        except OSError:
            pass

    def close(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
        if self._raw is not None:
            self._stop.set()
            for c in self._held:
                c.close()
            self._raw.close()
        for t in self._threads:
            t.join(5)
            assert not t.is_alive(), "the SCIM responder did not stop in time"
