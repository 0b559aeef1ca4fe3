"""Backup bundles: contents, secrets never in plaintext, safe reading, restore through the stores."""

from __future__ import annotations

import datetime as dt
import io
import json
import shutil
import zipfile

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from app.config.document import ConfigDocument
from app.errors import UserError
from app.filestore import list_backups
from app.host.layout import from_host_dir
from app.migrate import bundle
from app.migrate.restore import restore_bundle

PASS = "correct horse battery staple"


@pytest.fixture
def host(tmp_path, sample_host):
    root = tmp_path / "hostA"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


@pytest.fixture
def other(tmp_path, sample_host):
    root = tmp_path / "hostB"
    shutil.copytree(sample_host, root)
    return from_host_dir(root)


def _secret_values(layout):
    doc = ConfigDocument.load(layout.config_path)
    return [s["value"] for s in bundle.secrets_of(doc)]


def _entries(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {n: z.read(n) for n in z.namelist()}


def _cert_der() -> bytes:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "ecma01.contoso.com")])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(1).not_valid_before(now).not_valid_after(now + dt.timedelta(days=730))
            .sign(key, hashes.SHA256()))
    return cert.public_bytes(serialization.Encoding.DER)


def test_bundle_holds_the_files_and_never_a_secret(host):
    values = _secret_values(host)
    assert len(values) == 4
    result = bundle.create_bundle(host, passphrase=PASS,
                                  certificate=bundle.CertificatePart("ABC", _cert_der(), "test"))
    entries = _entries(result.data)
    assert set(entries) == {bundle.MANIFEST, bundle.CONFIGURATION, bundle.SERVICE_FILE,
                            bundle.WIZARD_FILE, bundle.CERTIFICATE, bundle.SECRETS}
    everything = b"".join(entries.values())
    for v in values:
        assert v.encode() not in everything
    assert b"AAEAAAD" not in everything
    doc = ConfigDocument.from_bytes(entries[bundle.CONFIGURATION])
    assert all(c.secret_token == "" for c in doc.connectors)
    # blanking is lossless: only the secret lines differ from the host's file
    original = host.config_path.read_bytes().decode().splitlines()
    blanked = entries[bundle.CONFIGURATION].decode().splitlines()
    assert len(original) == len(blanked)
    assert sum(a != b for a, b in zip(original, blanked, strict=True)) == 4
    m = result.manifest
    assert m["secrets"]["mode"] == "encrypted" and len(m["secrets"]["fields"]) == 4
    assert "value" not in json.dumps(m["secrets"])
    dlls = {d["path"] for d in m["dlls"]}
    assert "Service/ECMA/Microsoft.IAM.Connector.PowerShell.dll" in dlls
    assert "Service/ECMA/Cache/CSV/AutosyncService/Microsoft.IAM.Connector.PowerShell.dll" in dlls
    assert m["certificate"]["included"] is True


def test_secrets_left_out_without_a_passphrase(host):
    result = bundle.create_bundle(host)
    assert bundle.SECRETS not in _entries(result.data)
    assert result.manifest["secrets"]["mode"] == "omitted"


def test_short_passphrase_is_refused(host):
    with pytest.raises(UserError, match="at least 10 characters"):
        bundle.create_bundle(host, passphrase="short")


def test_wrong_passphrase_restores_nothing(host, other):
    data = bundle.create_bundle(host, passphrase=PASS).data
    before = other.config_path.read_bytes()
    with pytest.raises(UserError, match="passphrase is wrong"):
        restore_bundle(bundle.read_bundle(data, "b.zip"), other, passphrase="not the passphrase")
    assert other.config_path.read_bytes() == before


class FakeStore:
    def __init__(self, present):
        self.present = present

    def available(self):
        return True

    def find(self, thumbprint):
        return object() if thumbprint in self.present else None


def test_restore_on_the_same_machine_puts_everything_back(host, other):
    doc = ConfigDocument.load(other.config_path)
    doc.find_connector("CSV").autosync_timer = "15"
    other.config_path.write_bytes(doc.to_bytes())
    data = bundle.create_bundle(host, passphrase=PASS).data
    thumb = ConfigDocument.load(host.config_path).setting.certificate
    report = restore_bundle(bundle.read_bundle(data, "b.zip"), other, passphrase=PASS,
                            cert_store=FakeStore({thumb}), here=bundle.machine_name())
    assert other.config_path.read_bytes() == host.config_path.read_bytes()
    assert len(report.secrets_restored) == 4 and report.secrets_to_enter == []
    assert len(list_backups(other.config_path)) == 1  # through the store: backup first
    assert report.certificate.endswith("is installed on this host.")
    assert report.dlls_missing == [] and report.dlls_different == []


def test_restore_elsewhere_lists_what_to_enter_again(host, other):
    cache_dll = other.root / "Service/ECMA/Cache/CSV/Microsoft.IAM.Connector.PowerShell.dll"
    cache_dll.write_bytes(b"an older build")
    (other.root / "Service/ECMA/Contoso.Badges.Connector.dll").unlink()
    data = bundle.create_bundle(host, passphrase=PASS).data
    report = restore_bundle(bundle.read_bundle(data, "b.zip"), other, passphrase=PASS,
                            cert_store=FakeStore(set()), here="ANOTHER-HOST")
    assert report.secrets_restored == []
    assert "CSV: Secret Token" in report.secrets_to_enter and len(report.secrets_to_enter) == 4
    assert any("DPAPI" in n for n in report.notes)
    assert report.dlls_missing == ["Service/ECMA/Contoso.Badges.Connector.dll"]
    assert report.dlls_different == ["Service/ECMA/Cache/CSV/Microsoft.IAM.Connector.PowerShell.dll"]
    assert "NOT installed" in report.certificate
    assert all(c.secret_token == "" for c in ConfigDocument.load(other.config_path).connectors)


def test_restore_writes_the_exe_config_files_with_backups(host, other):
    service = host.service_config_path
    service.write_bytes(service.read_bytes().replace(b'"Verbose"', b'"Warning"'))
    data = bundle.create_bundle(host).data
    report = restore_bundle(bundle.read_bundle(data, "b.zip"), other, cert_store=FakeStore(set()))
    assert other.service_config_path.read_bytes() == service.read_bytes()
    assert any(str(other.service_config_path) in w for w in report.written)
    assert len(list_backups(other.service_config_path)) == 1
    assert str(other.wizard_config_path) in report.unchanged


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in entries.items():
            z.writestr(name, data)
    return buf.getvalue()


def test_unsafe_zips_are_refused_with_a_sentence(host):
    good = _entries(bundle.create_bundle(host).data)
    with pytest.raises(UserError, match="unsafe path '../evil.dll'"):
        bundle.read_bundle(_zip(good | {"../evil.dll": b"x"}), "t.zip")
    with pytest.raises(UserError, match="unsafe path"):
        bundle.read_bundle(_zip(good | {"C:/Windows/x.dll": b"x"}), "t.zip")
    with pytest.raises(UserError, match="zip bomb"):
        bundle.read_bundle(_zip(good | {"padding.bin": b"\0" * (8 * 1048576)}), "t.zip")
    with pytest.raises(UserError, match="entries"):
        bundle.read_bundle(_zip(good | {f"f{i}": b"" for i in range(70)}), "t.zip")
    with pytest.raises(UserError, match="not a zip"):
        bundle.read_bundle(b"hello", "t.zip")
    with pytest.raises(UserError, match="not an ecma-wizard bundle"):
        bundle.read_bundle(_zip({"manifest.json": b'{"format": "other"}'}), "t.zip")
    tampered = dict(good)
    tampered[bundle.CONFIGURATION] = good[bundle.CONFIGURATION].replace(b"8585", b"9999")
    with pytest.raises(UserError, match="does not match its checksum"):
        bundle.read_bundle(_zip(tampered), "t.zip")


def test_an_entry_bigger_than_its_header_says_is_cut_off(host, monkeypatch):
    monkeypatch.setattr(bundle, "MAX_BYTES", 1000)
    data = bundle.create_bundle(host).data
    with pytest.raises(UserError, match="over 0 MB when unpacked"):
        bundle.read_bundle(data, "t.zip")


def test_tampered_secrets_are_refused(host):
    entries = _entries(bundle.create_bundle(host, passphrase=PASS).data)
    box = json.loads(entries[bundle.SECRETS])
    box["ciphertext"] = box["ciphertext"][:-8] + "AAAAAAA="
    entries[bundle.SECRETS] = json.dumps(box).encode()
    manifest = json.loads(entries[bundle.MANIFEST])
    manifest["files"][bundle.SECRETS]["sha256"] = bundle.sha256(entries[bundle.SECRETS])
    entries[bundle.MANIFEST] = json.dumps(manifest).encode()
    loaded = bundle.read_bundle(_zip(entries), "t.zip")
    with pytest.raises(UserError, match="passphrase is wrong .or the bundle's secrets were altered"):
        bundle.restorable_secrets(loaded, PASS)


def test_an_unreadable_exe_config_is_packed_with_a_warning(host, tmp_path, capsys):
    from app.cli import main

    service = host.service_config_path
    service.write_bytes(b"<configuration><appSettings>")  # cut short
    out = tmp_path / "b.zip"
    assert main(["bundle", "create", "--host-dir", str(host.root), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    assert err.startswith("warning: ") and str(service) in err and "restore will refuse it" in err
    with zipfile.ZipFile(out) as z:
        manifest = json.loads(z.read("manifest.json"))
    assert len(manifest["warnings"]) == 1
