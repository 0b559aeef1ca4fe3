"""A hostile "Graph" on 127.0.0.1 for the tests of issue 22 (nothing leaks, nothing hangs): real
TLS with the stand-in's certificate, and a handler each test gives (`server.behave(handler)`):
a server dripping one byte at a time, odd Retry-After headers, JSON nested 100,000 deep, terminal
escape sequences in its data, a secret echoed back in every spelling. Every behaviour ends by
itself within seconds, and `close()` stops the server (nothing outlives the test)."""

from __future__ import annotations

import ssl
import threading
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography.hazmat.primitives import serialization


class _Handler(BaseHTTPRequestHandler):
    timeout = 10
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def _go(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.body = self.rfile.read(length) if length else b""
        try:
            self.server.behave(self)
        except OSError:  # the client hung up (its deadline): that is the point of several tests
            pass

    do_GET = do_POST = do_PUT = _go

    def answer(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(body)


class HostileGraph:
    def __init__(self, tmp_path, cert, behave: Callable[[_Handler], None]):
        cert_file, key_file = tmp_path / "hostile.crt", tmp_path / "hostile.key"
        cert_file.write_bytes(cert.cert_pem())
        key_file.write_bytes(cert.private_key.private_bytes(  # test-only key, deleted with tmp_path
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()))
        self.ca_file = cert_file
        self.stop = threading.Event()
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(cert_file, key_file)
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
        self._server.daemon_threads = True
        self._server.behave = behave
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self.url = f"https://localhost:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05},
                                        daemon=True)
        self._thread.start()

    def close(self):
        self.stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
        assert not self._thread.is_alive(), "the hostile server did not stop in time"
