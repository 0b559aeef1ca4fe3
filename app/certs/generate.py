"""Make a self-signed TLS server certificate for the host, and write it as PFX and PEM.

What Microsoft's wizard makes (docs/host-facts.md §4): self-signed, SAN = host name, valid 2 years. Ours adds
what a TLS client checks: SHA-256 signature, serverAuth EKU, key usage, random serial, and every
host name the user lists as a DNS SAN (the first one is also the subject CN).

Files, and why they look like this:
- `<name>.pfx`: certificate and key, encrypted with a random passphrase (AES-256 by default; 3DES
  for Windows Server 2016, which cannot import AES-protected PFX files). The passphrase goes to the
  keyring or to the user, never into a file of ours.
- `<name>.crt.pem`: the certificate only (public).
- `<name>.key.pem`: the key as encrypted PKCS#8 (same passphrase), mode 0600. Only written when
  asked; an unencrypted key is never written.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from app.certs.inspect import CertificateInfo, describe, thumbprint_of
from app.errors import SaveRefused, UserError
from app.filestore import atomic_write

DEFAULT_DAYS = 730  # two years, as Microsoft's wizard (docs/host-facts.md §4)
MAX_DAYS = 3650
CLOCK_SKEW = dt.timedelta(minutes=5)  # not_before slightly in the past: peers' clocks drift
_HOST_RE = re.compile(r"^(\*\.)?([A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)(\.[A-Za-z0-9]([A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$")


class KeySpec(enum.Enum):
    RSA2048 = "rsa2048"
    RSA3072 = "rsa3072"
    RSA4096 = "rsa4096"
    P256 = "p256"

    @property
    def label(self) -> str:
        return {"rsa2048": "RSA 2048 (default)", "rsa3072": "RSA 3072", "rsa4096": "RSA 4096",
                "p256": "ECDSA P-256"}[self.value]

    def new_key(self) -> rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey:
        if self is KeySpec.P256:
            return ec.generate_private_key(ec.SECP256R1())
        return rsa.generate_private_key(public_exponent=65537, key_size=int(self.value[3:]))


class PfxEncryption(enum.Enum):
    AES256 = "aes256"   # PBES2 AES-256-CBC, SHA-256 MAC: Windows Server 2019 and later
    TRIPLE_DES = "3des"  # PBES1 3DES, SHA-1 MAC: also Windows Server 2016


def validate_host_name(name: str) -> str:
    """The name, trimmed, or a UserError saying why it cannot be a DNS SAN."""
    cleaned = name.strip()
    if not cleaned or len(cleaned) > 253 or not _HOST_RE.match(cleaned):
        raise UserError(f"{cleaned or '(empty)'!r} is not a valid host name for a certificate.")
    return cleaned.rstrip(".")


@dataclass(frozen=True)
class GenerationRequest:
    """What the user chose in the dialog or on the command line."""

    host_names: tuple[str, ...]
    key: KeySpec = KeySpec.RSA2048
    days: int = DEFAULT_DAYS

    def validated(self) -> GenerationRequest:
        names: list[str] = []
        for raw in self.host_names:
            name = validate_host_name(raw)
            if name.lower() not in (n.lower() for n in names):
                names.append(name)
        if not names:
            raise UserError("give at least one host name for the certificate.")
        if not 1 <= self.days <= MAX_DAYS:
            raise UserError(f"validity must be between 1 and {MAX_DAYS} days, not {self.days}.")
        return GenerationRequest(tuple(names), self.key, self.days)

    def preview(self, now: dt.datetime | None = None) -> dict[str, str]:
        """What the certificate will look like, before any key is made (shown in the dialog)."""
        req = self.validated()
        start = (now or dt.datetime.now(dt.UTC)) - CLOCK_SKEW
        return {
            "Subject": f"CN={req.host_names[0]}",
            "Names (SAN)": ", ".join(req.host_names),
            "Issuer": "itself (self-signed)",
            "Key": req.key.label.replace(" (default)", ""),
            "Signature": "SHA-256",
            "Purpose (EKU)": "Server authentication",
            "Valid from": start.strftime("%Y-%m-%d %H:%M UTC"),
            "Valid until": (start + dt.timedelta(days=req.days)).strftime("%Y-%m-%d %H:%M UTC"),
        }


@dataclass
class GeneratedCertificate:
    certificate: x509.Certificate
    private_key: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey = field(repr=False)

    @property
    def thumbprint(self) -> str:
        return thumbprint_of(self.certificate)

    def info(self) -> CertificateInfo:
        return describe(self.certificate, has_private_key=True, source="generated")

    def cert_pem(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.PEM)

    def cert_der(self) -> bytes:
        return self.certificate.public_bytes(serialization.Encoding.DER)

    def pfx(self, passphrase: str, encryption: PfxEncryption = PfxEncryption.AES256) -> bytes:
        """The PKCS#12 bundle (certificate + key), encrypted with `passphrase`."""
        if not passphrase:
            raise ValueError("a PFX passphrase is required")
        builder = serialization.PrivateFormat.PKCS12.encryption_builder().kdf_rounds(50_000)
        if encryption is PfxEncryption.AES256:
            builder = builder.key_cert_algorithm(pkcs12.PBES.PBESv2SHA256AndAES256CBC).hmac_hash(hashes.SHA256())
        else:
            builder = builder.key_cert_algorithm(pkcs12.PBES.PBESv1SHA1And3KeyTripleDESCBC).hmac_hash(hashes.SHA1())
        name = self.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
        return pkcs12.serialize_key_and_certificates(
            str(name).encode(), self.private_key, self.certificate, None,
            builder.build(passphrase.encode()))

    def key_pem_encrypted(self, passphrase: str) -> bytes:
        return self.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.BestAvailableEncryption(passphrase.encode()))


def generate(request: GenerationRequest, *, now: dt.datetime | None = None) -> GeneratedCertificate:
    """Make the key and the self-signed certificate (RSA 4096 can take a few seconds)."""
    req = request.validated()
    key = req.key.new_key()
    start = (now or dt.datetime.now(dt.UTC)) - CLOCK_SKEW
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, req.host_names[0])])
    usage_rsa = req.key is not KeySpec.P256
    ski = x509.SubjectKeyIdentifier.from_public_key(key.public_key())
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + dt.timedelta(days=req.days))
        .add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in req.host_names]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(
            digital_signature=True, key_encipherment=usage_rsa, content_commitment=False,
            data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
            encipher_only=False, decipher_only=False), critical=True)
        .add_extension(ski, critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_subject_key_identifier(ski), critical=False)
    )
    cert = builder.sign(key, hashes.SHA256())
    return GeneratedCertificate(cert, key)


def new_passphrase() -> str:
    """A random PFX passphrase (256 bits, URL-safe text so it survives any prompt or env var)."""
    return secrets.token_urlsafe(32)


def file_stem(host_name: str) -> str:
    return re.sub(r"[^A-Za-z0-9.-]", "_", host_name.lstrip("*.")) or "ecma2host"


def write_private_file(path: Path, data: bytes) -> None:
    """Write `data` readable by the owner only (0600 from the start), atomically, via the store."""
    atomic_write(path, data, mode=0o600)


@dataclass(frozen=True)
class WrittenFiles:
    pfx: Path
    cert_pem: Path
    key_pem: Path | None

    def all(self) -> list[Path]:
        return [p for p in (self.pfx, self.cert_pem, self.key_pem) if p is not None]


def planned_files(out_dir: Path, generated: GeneratedCertificate, *, with_key_pem: bool) -> WrittenFiles:
    cn = generated.certificate.subject.get_attributes_for_oid(NameOID.COMMON_NAME)[0].value
    stem = f"{file_stem(str(cn))}-{generated.thumbprint[:8]}"
    return WrittenFiles(out_dir / f"{stem}.pfx", out_dir / f"{stem}.crt.pem",
                        out_dir / f"{stem}.key.pem" if with_key_pem else None)


def write_files(out_dir: Path, generated: GeneratedCertificate, passphrase: str, *,
                with_key_pem: bool = True,
                encryption: PfxEncryption = PfxEncryption.AES256) -> WrittenFiles:
    """Write the PFX (0600), the certificate PEM and, if asked, the encrypted key PEM (0600)."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create the output folder ({exc.strerror}).", path=out_dir) from None
    files = planned_files(out_dir, generated, with_key_pem=with_key_pem)
    try:
        write_private_file(files.pfx, generated.pfx(passphrase, encryption))
        atomic_write(files.cert_pem, generated.cert_pem())
        if files.key_pem is not None:
            write_private_file(files.key_pem, generated.key_pem_encrypted(passphrase))
    except SaveRefused as exc:
        for path in files.all():
            path.unlink(missing_ok=True)
        raise UserError(f"cannot write the certificate files ({exc.message}).", path=out_dir) from None
    return files
