"""Certificates made on the fly for the certificate tests (P-256 takes a few ms, RSA 2048 ~50 ms)."""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import threading

import pytest

from app.certs.generate import GenerationRequest, KeySpec, generate

NOW = dt.datetime(2025, 6, 1, 12, 0, tzinfo=dt.UTC)
HOST_NAMES = ("ecmahost", "ecmahost.contoso.local", "localhost")


@pytest.fixture
def now():
    return NOW


@pytest.fixture
def make_cert():
    """make_cert(names=..., days=730, now=NOW, key=KeySpec.P256) -> GeneratedCertificate."""

    def make(names=HOST_NAMES, *, days=730, now=NOW, key=KeySpec.P256):
        return generate(GenerationRequest(tuple(names), key, days), now=now)

    return make


@pytest.fixture(scope="session")
def rsa_cert():
    return generate(GenerationRequest(HOST_NAMES, KeySpec.RSA2048, 730), now=NOW)


TLS_TIMEOUT = 5.0


class LoopbackTlsServer:
    """Serve `cert_file`/`key_file` on 127.0.0.1:<ephemeral> for `handshakes` handshakes."""

    def __init__(self, cert_file, key_file, password, handshakes=1):
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.context.load_cert_chain(cert_file, key_file, password=password)
        self.sock = socket.create_server(("127.0.0.1", 0))
        self.sock.settimeout(TLS_TIMEOUT)
        self.port = self.sock.getsockname()[1]
        self.errors: list[BaseException] = []
        self.thread = threading.Thread(target=self._serve, args=(handshakes,), daemon=True)

    def _serve(self, handshakes):
        for _ in range(handshakes):
            try:
                conn, _addr = self.sock.accept()
                conn.settimeout(TLS_TIMEOUT)
                with self.context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)  # wait for the client to close
            except (OSError, ssl.SSLError) as exc:
                self.errors.append(exc)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.thread.join(TLS_TIMEOUT * 2)
        self.sock.close()
        assert not self.thread.is_alive(), "the TLS server thread did not finish in time"


@pytest.fixture(name="LoopbackTlsServer")
def loopback_tls_server():
    """The class: `with LoopbackTlsServer(cert_pem, key_pem, password) as server: server.port`."""
    return LoopbackTlsServer
