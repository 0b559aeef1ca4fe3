"""A real TLS handshake on loopback with a generated certificate (the certificate's acceptance test)."""

from __future__ import annotations

import hashlib
import socket
import ssl

import pytest

from app.certs.generate import new_passphrase, write_files
from app.certs.served import fetch_served_certificate, fetch_served_der
from app.errors import UserError

TIMEOUT = 5.0


@pytest.fixture
def served_files(tmp_path, rsa_cert):
    pw = new_passphrase()
    files = write_files(tmp_path, rsa_cert, pw)
    return files, pw


def test_verified_handshake_and_the_thumbprint_the_client_sees(served_files, rsa_cert, LoopbackTlsServer):
    files, pw = served_files
    written_to_config = rsa_cert.thumbprint  # what regeneration writes to <Setting><Certificate>
    with LoopbackTlsServer(files.cert_pem, files.key_pem, pw, handshakes=2) as server:
        # 1. A verifying client that trusts the certificate (as Trusted Root would) and checks the name.
        client = ssl.create_default_context(cafile=str(files.cert_pem))
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as raw:
            with client.wrap_socket(raw, server_hostname="localhost") as tls:
                der = tls.getpeercert(binary_form=True)
                assert tls.version() in ("TLSv1.2", "TLSv1.3")
        assert hashlib.sha1(der).hexdigest().upper() == written_to_config
        # 2. Our reader of the served certificate sees the same thumbprint.
        served = fetch_served_certificate("127.0.0.1", server.port, timeout=TIMEOUT,
                                          server_name="localhost")
        assert served.thumbprint == written_to_config
        assert served.source == f"served by 127.0.0.1:{server.port}"
    assert not server.errors


def test_a_verifying_client_rejects_a_name_the_certificate_does_not_cover(served_files, LoopbackTlsServer):
    files, pw = served_files
    with LoopbackTlsServer(files.cert_pem, files.key_pem, pw) as server:
        client = ssl.create_default_context(cafile=str(files.cert_pem))
        with socket.create_connection(("127.0.0.1", server.port), timeout=TIMEOUT) as raw:
            with pytest.raises(ssl.SSLCertVerificationError):
                client.wrap_socket(raw, server_hostname="wronghost.example")


def test_nothing_listening_is_one_sentence():
    with socket.create_server(("127.0.0.1", 0)) as probe:
        port = probe.getsockname()[1]
    with pytest.raises(UserError, match="connection refused"):
        fetch_served_der("127.0.0.1", port, timeout=TIMEOUT)


def test_a_silent_endpoint_times_out_within_the_bound():
    with socket.create_server(("127.0.0.1", 0)) as silent:  # accepts, never speaks TLS
        port = silent.getsockname()[1]
        with pytest.raises(UserError, match="within 0.5 seconds"):
            fetch_served_der("127.0.0.1", port, timeout=0.5)
