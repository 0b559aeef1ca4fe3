"""Read the certificate a TLS endpoint serves (the running host on its port), just to look at it.

Verification is off on purpose: the point is to see *which* certificate is served, including a
wrong or expired one. Nothing is sent after the handshake.
"""

from __future__ import annotations

import socket
import ssl

from cryptography import x509

from app.certs.inspect import CertificateInfo, describe
from app.errors import UserError

DEFAULT_TIMEOUT = 5.0


def fetch_served_der(host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT,
                     server_name: str | None = None) -> bytes:
    """The DER bytes of the leaf certificate `host:port` presents; UserError when unreachable."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE  # we read the certificate; we do not trust it
    where = f"{host}:{port}"
    try:
        with socket.create_connection((host, port), timeout=timeout) as raw:
            raw.settimeout(timeout)
            with context.wrap_socket(raw, server_hostname=server_name or host) as tls:
                der = tls.getpeercert(binary_form=True)
    except TimeoutError:
        raise UserError(f"no TLS answer from {where} within {timeout:g} seconds.") from None
    except ConnectionRefusedError:
        raise UserError(f"nothing listens on {where} (connection refused); is the ECMA2Host "
                        "service running?") from None
    except ssl.SSLError as exc:
        raise UserError(f"{where} did not complete a TLS handshake ({exc.reason or exc}).") from None
    except OSError as exc:
        raise UserError(f"cannot reach {where} ({exc.strerror or exc}).") from None
    if not der:
        raise UserError(f"{where} presented no certificate.")
    return der


def fetch_served_certificate(host: str, port: int, *, timeout: float = DEFAULT_TIMEOUT,
                             server_name: str | None = None) -> CertificateInfo:
    der = fetch_served_der(host, port, timeout=timeout, server_name=server_name)
    return describe(x509.load_der_x509_certificate(der), source=f"served by {host}:{port}")
