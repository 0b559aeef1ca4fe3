"""Generation: names, keys, validity, files and their permissions."""

from __future__ import annotations

import os
import stat
import sys

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs12

from app.certs.generate import (
    DEFAULT_DAYS,
    GenerationRequest,
    KeySpec,
    generate,
    new_passphrase,
    write_files,
)
from app.errors import UserError


def test_defaults_follow_microsoft_two_years_rsa_2048():
    req = GenerationRequest(("h",))
    assert req.key is KeySpec.RSA2048 and req.days == DEFAULT_DAYS == 730


def test_names_are_validated_and_deduplicated():
    req = GenerationRequest((" Host ", "host", "host.contoso.local.", "localhost")).validated()
    assert req.host_names == ("Host", "host.contoso.local", "localhost")
    for bad in ("", "bad name", "-lead.example", "a" * 64, "under_score"):
        with pytest.raises(UserError):
            GenerationRequest((bad,)).validated()
    with pytest.raises(UserError, match="between 1 and"):
        GenerationRequest(("h",), days=0).validated()


def test_certificate_extensions(make_cert):
    cert = make_cert(key=KeySpec.RSA2048).certificate
    assert cert.signature_hash_algorithm.name == "sha256"
    assert cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca is False
    ku = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert ku.digital_signature and ku.key_encipherment
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["ecmahost", "ecmahost.contoso.local", "localhost"]
    assert cert.serial_number > 2 ** 64  # random 159-bit serial


def test_serials_are_random(make_cert):
    assert make_cert().certificate.serial_number != make_cert().certificate.serial_number


def test_preview_matches_what_is_generated(now):
    req = GenerationRequest(("ecmahost", "localhost"), KeySpec.P256, 365)
    preview = req.preview(now)
    info = generate(req, now=now).info()
    assert preview["Subject"] == info.subject
    assert preview["Valid until"] == info.not_after.strftime("%Y-%m-%d %H:%M UTC")
    assert preview["Key"] == "ECDSA P-256"


def test_files_are_written_with_an_encrypted_key_and_owner_only_permissions(tmp_path, make_cert):
    gen = make_cert()
    pw = new_passphrase()
    files = write_files(tmp_path / "out", gen, pw)
    assert files.pfx.name.endswith(f"-{gen.thumbprint[:8]}.pfx")
    key_text = files.key_pem.read_bytes()
    assert b"ENCRYPTED PRIVATE KEY" in key_text and pw.encode() not in key_text
    serialization.load_pem_private_key(key_text, pw.encode())
    key, cert, _ = pkcs12.load_key_and_certificates(files.pfx.read_bytes(), pw.encode())
    assert cert.public_bytes(serialization.Encoding.DER) == gen.cert_der() and key is not None
    if sys.platform != "win32":
        for path in (files.pfx, files.key_pem):
            assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    no_key = write_files(tmp_path / "o2", gen, pw, with_key_pem=False)
    assert no_key.key_pem is None and len(no_key.all()) == 2
