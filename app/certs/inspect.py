"""Read a certificate (PEM, DER or PFX) and describe it in the terms the status page shows.

The thumbprint is what `<Setting><Certificate>` holds: SHA-1 of the DER bytes, 40 upper-case hex
digits (docs/host-facts.md §2).
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import re
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import dsa, ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.errors import UserError

_EKU_NAMES = {
    ExtendedKeyUsageOID.SERVER_AUTH: "serverAuth",
    ExtendedKeyUsageOID.CLIENT_AUTH: "clientAuth",
    ExtendedKeyUsageOID.CODE_SIGNING: "codeSigning",
    ExtendedKeyUsageOID.EMAIL_PROTECTION: "emailProtection",
    ExtendedKeyUsageOID.TIME_STAMPING: "timeStamping",
    ExtendedKeyUsageOID.OCSP_SIGNING: "OCSPSigning",
}
_CURVE_NAMES = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
# Characters Windows' certificate dialog adds when a thumbprint is copied (U+200E and friends).
_THUMB_NOISE = re.compile(r"[\s:\u200e\u200f\u202a-\u202e\ufeff-]")
_THUMB_RE = re.compile(r"^[0-9A-F]{40}$")


def normalize_thumbprint(text: str) -> str:
    """Upper-case hex without spaces, colons or the invisible marks a copy from Windows adds."""
    return _THUMB_NOISE.sub("", text or "").upper()


def is_valid_thumbprint(text: str) -> bool:
    """True for exactly 40 hex digits once normalized."""
    return bool(_THUMB_RE.match(normalize_thumbprint(text)))


def thumbprint_of(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA1()).hex().upper()  # SHA-1: the format Windows uses


@dataclass(frozen=True)
class HostMatch:
    """Which of the asked names the certificate covers."""

    matched: tuple[str, ...]
    missing: tuple[str, ...]

    @property
    def all(self) -> bool:
        return not self.missing

    @property
    def any(self) -> bool:
        return bool(self.matched)


@dataclass(frozen=True)
class CertificateInfo:
    """What the status page shows about one certificate."""

    thumbprint: str
    subject: str
    common_name: str | None
    dns_names: tuple[str, ...]
    ip_addresses: tuple[str, ...]
    issuer: str
    self_signed: bool
    not_before: dt.datetime
    not_after: dt.datetime
    key_type: str
    key_size: int | None
    ekus: tuple[str, ...]
    has_private_key: bool
    serial_number: int
    signature_hash: str | None
    source: str = ""
    der: bytes = field(default=b"", repr=False, compare=False)

    def days_left(self, now: dt.datetime | None = None) -> int:
        """Whole days until not_after (negative once expired)."""
        now = now or dt.datetime.now(dt.UTC)
        return int((self.not_after - now).total_seconds() // 86400)

    def is_expired(self, now: dt.datetime | None = None) -> bool:
        return (now or dt.datetime.now(dt.UTC)) > self.not_after

    def is_not_yet_valid(self, now: dt.datetime | None = None) -> bool:
        return (now or dt.datetime.now(dt.UTC)) < self.not_before

    @property
    def sans(self) -> tuple[str, ...]:
        return self.dns_names + self.ip_addresses

    @property
    def key_description(self) -> str:
        return f"{self.key_type} {self.key_size}" if self.key_size else self.key_type

    def covers(self, name: str) -> bool:
        """True when a SAN (or, without SANs, the common name) matches `name` (RFC 6125 style)."""
        name = name.strip().rstrip(".").lower()
        if not name:
            return False
        try:
            addr = ipaddress.ip_address(name)
        except ValueError:
            addr = None
        if addr is not None:
            return str(addr) in self.ip_addresses
        candidates = self.dns_names
        if not candidates and not self.ip_addresses and self.common_name:
            candidates = (self.common_name,)  # legacy: no SAN extension at all
        return any(_dns_match(pattern, name) for pattern in candidates)

    def host_match(self, names: list[str] | tuple[str, ...]) -> HostMatch:
        matched = tuple(n for n in names if self.covers(n))
        missing = tuple(n for n in names if not self.covers(n))
        return HostMatch(matched, missing)


def _dns_match(pattern: str, name: str) -> bool:
    pattern = pattern.rstrip(".").lower()
    if pattern.startswith("*."):
        head, _, tail = name.partition(".")
        return bool(head) and tail == pattern[2:]
    return pattern == name


def _key_description(public_key: object) -> tuple[str, int | None]:
    if isinstance(public_key, rsa.RSAPublicKey):
        return "RSA", public_key.key_size
    if isinstance(public_key, ec.EllipticCurvePublicKey):
        curve = _CURVE_NAMES.get(public_key.curve.name, public_key.curve.name)
        return f"ECDSA {curve}", public_key.curve.key_size
    if isinstance(public_key, ed25519.Ed25519PublicKey):
        return "Ed25519", 256
    if isinstance(public_key, ed448.Ed448PublicKey):
        return "Ed448", 448
    if isinstance(public_key, dsa.DSAPublicKey):
        return "DSA", public_key.key_size
    return type(public_key).__name__, None


def describe(cert: x509.Certificate, *, has_private_key: bool = False, source: str = "") -> CertificateInfo:
    """Build the CertificateInfo of a parsed certificate."""
    try:
        san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        dns = tuple(san.get_values_for_type(x509.DNSName))
        ips = tuple(str(ip) for ip in san.get_values_for_type(x509.IPAddress))
    except x509.ExtensionNotFound:
        dns, ips = (), ()
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        ekus = tuple(_EKU_NAMES.get(oid, oid.dotted_string) for oid in eku)
    except x509.ExtensionNotFound:
        ekus = ()
    cns = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    key_type, key_size = _key_description(cert.public_key())
    algo = cert.signature_hash_algorithm
    return CertificateInfo(
        thumbprint=thumbprint_of(cert),
        subject=cert.subject.rfc4514_string(),
        common_name=str(cns[0].value) if cns else None,
        dns_names=dns,
        ip_addresses=ips,
        issuer=cert.issuer.rfc4514_string(),
        self_signed=_is_self_signed(cert),
        not_before=cert.not_valid_before_utc,
        not_after=cert.not_valid_after_utc,
        key_type=key_type,
        key_size=key_size,
        ekus=ekus,
        has_private_key=has_private_key,
        serial_number=cert.serial_number,
        signature_hash=algo.name if algo else None,
        source=source,
        der=cert.public_bytes(serialization.Encoding.DER),
    )


def _is_self_signed(cert: x509.Certificate) -> bool:
    if cert.issuer != cert.subject:
        return False
    try:
        cert.verify_directly_issued_by(cert)
    except Exception:  # a different key signed it, or an algorithm we cannot check
        return False
    return True


@dataclass
class LoadedCertificate:
    """A certificate read from a file, with its private key when the file held one."""

    certificate: x509.Certificate
    private_key: object | None = field(default=None, repr=False)
    source: str = ""

    def info(self) -> CertificateInfo:
        return describe(self.certificate, has_private_key=self.private_key is not None,
                        source=self.source)


def load_certificate_bytes(data: bytes, *, password: bytes | None = None, source: str = "",
                           hint: str = "") -> LoadedCertificate:
    """Parse PEM, DER or PFX bytes; `hint` is the file name, used to prefer PFX for .pfx/.p12."""
    is_pfx = hint.lower().endswith((".pfx", ".p12"))
    if b"-----BEGIN" in data:
        return _load_pem(data, password, source)
    if not is_pfx:
        try:
            return LoadedCertificate(x509.load_der_x509_certificate(data), None, source)
        except ValueError:
            pass
    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, password)
    except ValueError:
        if password is None:
            raise UserError("the file is not a certificate, or it is a PFX that needs a password "
                            "(give one with --password-env).", path=source or None) from None
        raise UserError("the file is not a certificate, or the PFX password is wrong.",
                        path=source or None) from None
    if cert is None:
        raise UserError("the PFX file holds no certificate.", path=source or None)
    return LoadedCertificate(cert, key, source)


def _load_pem(data: bytes, password: bytes | None, source: str) -> LoadedCertificate:
    try:
        certs = x509.load_pem_x509_certificates(data)
    except ValueError:
        raise UserError("the PEM file holds no readable certificate.", path=source or None) from None
    key = None
    if b"PRIVATE KEY-----" in data:
        try:
            key = serialization.load_pem_private_key(data, password)
        except TypeError:
            key = None  # encrypted key and no password: still show the certificate
        except ValueError:
            raise UserError("the private key in the PEM file could not be read (wrong password?).",
                            path=source or None) from None
    # The first certificate is the leaf by convention; its key must match when one is present.
    return LoadedCertificate(certs[0], key, source)


def load_certificate(path: str | Path, *, password: bytes | None = None) -> LoadedCertificate:
    """Read a certificate file the user named; a problem is one sentence (UserError)."""
    path = Path(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot read the certificate file ({exc.strerror}).", path=path) from None
    return load_certificate_bytes(data, password=password, source=str(path), hint=path.name)


