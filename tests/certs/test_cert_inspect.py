"""Reading certificates (PEM, DER, PFX) and describing them."""

from __future__ import annotations

import datetime as dt
import hashlib

import pytest
from cryptography.hazmat.primitives import serialization

from app.certs.generate import GenerationRequest, KeySpec, PfxEncryption, generate, new_passphrase
from app.certs.inspect import (
    is_valid_thumbprint,
    load_certificate,
    load_certificate_bytes,
    normalize_thumbprint,
)
from app.errors import UserError


def test_thumbprint_is_upper_case_sha1_of_der(rsa_cert):
    der = rsa_cert.cert_der()
    assert rsa_cert.thumbprint == hashlib.sha1(der).hexdigest().upper()
    assert len(rsa_cert.thumbprint) == 40 and is_valid_thumbprint(rsa_cert.thumbprint)


def test_normalize_removes_what_a_copy_from_windows_adds():
    raw = "\u200e1d 8a e3 e6 b1 f3 a4 ba 5d 3c 8e 2c 6e 9b 33 cb d0 b7 ff 2a"
    assert normalize_thumbprint(raw) == "1D8AE3E6B1F3A4BA5D3C8E2C6E9B33CBD0B7FF2A"
    assert is_valid_thumbprint(raw)
    assert not is_valid_thumbprint("1D8AE3E6B1F3A4BA5D3C8E2C6E9B33CBD0B7FF2")  # 39 digits
    assert not is_valid_thumbprint("ZZ8AE3E6B1F3A4BA5D3C8E2C6E9B33CBD0B7FF2A")


def test_describe_a_generated_certificate(rsa_cert, now):
    info = rsa_cert.info()
    assert info.subject == "CN=ecmahost"
    assert info.dns_names == ("ecmahost", "ecmahost.contoso.local", "localhost")
    assert info.issuer == info.subject and info.self_signed
    assert info.key_type == "RSA" and info.key_size == 2048
    assert info.ekus == ("serverAuth",)
    assert info.signature_hash == "sha256"
    assert info.has_private_key
    assert info.days_left(now) == 729  # not_before is 5 minutes in the past
    assert info.not_after - info.not_before == dt.timedelta(days=730)


@pytest.mark.parametrize("spec,label", [(KeySpec.P256, "ECDSA P-256 256"), (KeySpec.RSA3072, "RSA 3072")])
def test_key_descriptions(spec, label):
    info = generate(GenerationRequest(("h",), spec, 30)).info()
    assert info.key_description == label


def test_host_match_uses_sans_and_wildcards(make_cert):
    info = make_cert(("*.contoso.local", "ecmahost")).info()
    assert info.covers("ECMAHOST") and info.covers("web.contoso.local")
    assert not info.covers("a.b.contoso.local") and not info.covers("contoso.local")
    match = info.host_match(["ecmahost", "other"])
    assert match.matched == ("ecmahost",) and match.missing == ("other",)
    assert match.any and not match.all


@pytest.mark.parametrize("form", ["pem", "der", "pfx", "pfx3des", "pem+key"])
def test_load_every_format(tmp_path, rsa_cert, form):
    pw = new_passphrase()
    if form == "pem":
        path, data = tmp_path / "c.pem", rsa_cert.cert_pem()
    elif form == "der":
        path, data = tmp_path / "c.cer", rsa_cert.cert_der()
    elif form == "pem+key":
        path, data = tmp_path / "c.pem", rsa_cert.cert_pem() + rsa_cert.key_pem_encrypted(pw)
    else:
        enc = PfxEncryption.TRIPLE_DES if form == "pfx3des" else PfxEncryption.AES256
        path, data = tmp_path / "c.pfx", rsa_cert.pfx(pw, enc)
    path.write_bytes(data)
    loaded = load_certificate(path, password=pw.encode())
    info = loaded.info()
    assert info.thumbprint == rsa_cert.thumbprint
    assert info.has_private_key == (form in ("pfx", "pfx3des", "pem+key"))
    assert info.source == str(path)


def test_pfx_without_or_with_wrong_password_is_one_sentence(tmp_path, rsa_cert):
    path = tmp_path / "c.pfx"
    path.write_bytes(rsa_cert.pfx("right-passphrase"))
    with pytest.raises(UserError, match="needs a password"):
        load_certificate(path)
    with pytest.raises(UserError) as err:
        load_certificate(path, password=b"wrong-passphrase")
    assert "wrong" in str(err.value) and "right-passphrase" not in str(err.value)


def test_garbage_and_missing_files(tmp_path):
    with pytest.raises(UserError, match="cannot read"):
        load_certificate(tmp_path / "nope.pem")
    bad = tmp_path / "bad.pem"
    bad.write_bytes(b"-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
    with pytest.raises(UserError, match="no readable certificate"):
        load_certificate(bad)
    with pytest.raises(UserError):
        load_certificate_bytes(b"\x00\x01garbage")


def test_encrypted_pem_key_without_password_still_shows_the_certificate(rsa_cert):
    data = rsa_cert.cert_pem() + rsa_cert.key_pem_encrypted("pw")
    loaded = load_certificate_bytes(data)
    assert loaded.certificate.public_bytes(serialization.Encoding.DER) == rsa_cert.cert_der()
    assert not loaded.info().has_private_key
