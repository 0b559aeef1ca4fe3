"""Backup bundles: one zip that moves a host's configuration to another host (migration, HA).

Inside: `manifest.json`, Configuration.xml with every secret blanked, both .exe.config files,
the certificate's public part when it could be read, and, only if the user gave a passphrase,
`secrets.enc`: the secret values encrypted with scrypt + AES-256-GCM. Never plaintext.

The connector DLLs are listed with their SHA-256 (not copied: they are the vendor's files, and
the same version must be installed on the new host). Secrets on a live host are DPAPI ciphertext
tied to that machine (docs/host-facts.md §2): restoring them is only useful on the same machine; elsewhere
the restore lists them as "enter again".
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import socket
import uuid
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from app import __version__
from app.config.document import ConfigDocument
from app.config.rules import is_encrypted_blob
from app.config.secretfields import secret_fields
from app.config.xmltext import MAX_BYTES
from app.errors import UserError
from app.host.appconfig import AppConfig
from app.host.layout import SERVICE_CONFIG, WIZARD_CONFIG, HostLayout
from app.hostsecrets.dpapi import Dpapi, default_dpapi
from app.hostsecrets.portable import TEXT_SUFFIX, readable_texts
from app.safezip import check_entries, load_json, open_zip, read_entry, safe_name

FORMAT = "ecma-wizard-bundle"
VERSION = 1
MANIFEST = "manifest.json"
CONFIGURATION = "Service/Configuration/Configuration.xml"
SERVICE_FILE = f"Service/{SERVICE_CONFIG}"
WIZARD_FILE = f"Wizard/{WIZARD_CONFIG}"
CERTIFICATE = "certificate.cer"  # DER, as Windows exports a public certificate
SECRETS = "secrets.enc"
KNOWN = (MANIFEST, CONFIGURATION, SERVICE_FILE, WIZARD_FILE, CERTIFICATE, SECRETS)
MIN_PASSPHRASE = 10
# Zip-bomb limits: a real bundle is a few MB in a handful of entries.
MAX_ENTRIES = 64
MAX_TOTAL = 4 * MAX_BYTES
MAX_RATIO = 200
SCRYPT = {"n": 2**15, "r": 8, "p": 1}


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def machine_name() -> str:
    return socket.gethostname().split(".")[0].upper()


# -- secrets under a passphrase ----------------------------------------------------------------
def _key(passphrase: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return Scrypt(salt=salt, length=32, n=n, r=r, p=p).derive(passphrase.encode("utf-8"))


def encrypt_secrets(values: dict[str, str], passphrase: str, bundle_id: str) -> bytes:
    if len(passphrase) < MIN_PASSPHRASE:
        raise UserError(f"the passphrase must have at least {MIN_PASSPHRASE} characters")
    salt, nonce = os.urandom(16), os.urandom(12)
    key = _key(passphrase, salt, **SCRYPT)
    plain = json.dumps(values, ensure_ascii=False).encode("utf-8")
    sealed = AESGCM(key).encrypt(nonce, plain, bundle_id.encode())  # the id binds it to its bundle
    b64 = lambda b: base64.b64encode(b).decode()  # noqa: E731
    return json.dumps({"kdf": "scrypt", **SCRYPT, "salt": b64(salt), "cipher": "AES-256-GCM",
                       "nonce": b64(nonce), "ciphertext": b64(sealed)}, indent=1).encode()


def decrypt_secrets(blob: bytes, passphrase: str, bundle_id: str, source: str) -> dict[str, str]:
    try:
        box = json.loads(blob)
        salt, nonce, sealed = (base64.b64decode(box[k]) for k in ("salt", "nonce", "ciphertext"))
        n, r, p = int(box["n"]), int(box["r"]), int(box["p"])
    except (ValueError, KeyError, TypeError):
        raise UserError(f"{SECRETS} is damaged; restore without the secrets", path=source) from None
    if n > 2**20 or r > 16 or p > 4:  # a crafted file must not make us burn gigabytes
        raise UserError(f"{SECRETS} asks for an unreasonable key derivation", path=source)
    try:
        plain = AESGCM(_key(passphrase, salt, n, r, p)).decrypt(nonce, sealed, bundle_id.encode())
    except InvalidTag:
        raise UserError("the passphrase is wrong (or the bundle's secrets were altered); "
                        "nothing was restored", path=source) from None
    return json.loads(plain)


# -- create ------------------------------------------------------------------------------------
@dataclass
class CertificatePart:
    thumbprint: str
    der: bytes | None = None
    note: str = ""


@dataclass
class BundleResult:
    data: bytes
    manifest: dict[str, Any]


def dll_list(layout: HostLayout) -> list[dict[str, Any]]:
    """Every DLL under Service\\ECMA, Cache copies included (a stale cache copy is a classic
    failure after a connector update, docs/host-facts.md §1)."""
    if layout.root is None or layout.ecma_dir is None or not layout.ecma_dir.is_dir():
        return []
    out = []
    for path in sorted(layout.ecma_dir.rglob("*")):
        if path.is_file() and path.suffix.lower() == ".dll":
            data = path.read_bytes()
            rel = path.relative_to(layout.root).as_posix()
            out.append({"path": rel, "size": len(data), "sha256": sha256(data)})
    return out


def secrets_of(doc: ConfigDocument) -> list[dict[str, Any]]:
    """Every non-empty secret: connector, key, label, value (the value stays in memory)."""
    return [{"connector": c.name, "key": s.key, "label": s.label, "value": s.value}
            for c in doc.connectors for s in secret_fields(c.el) if s.value]


def blank_document(data: bytes, source: str) -> bytes:
    """Configuration.xml with every secret emptied (lossless: the rest is byte-identical)."""
    doc = ConfigDocument.from_bytes(data, source)
    for c in doc.connectors:
        for s in secret_fields(c.el):
            if s.value:
                doc.xml.set_text(s.el, "")
    return doc.to_bytes()


def create_bundle(layout: HostLayout, *, passphrase: str | None = None,
                  certificate: CertificatePart | None = None, dpapi: Dpapi | None = None) -> BundleResult:
    config_bytes = Path(layout.config_path).read_bytes() if layout.config_path.exists() else None
    if config_bytes is None:
        raise UserError("does not exist; nothing to bundle", path=layout.config_path)
    doc = ConfigDocument.from_bytes(config_bytes, str(layout.config_path))
    bundle_id = str(uuid.uuid4())
    found = secrets_of(doc)
    files = {CONFIGURATION: blank_document(config_bytes, str(layout.config_path))}
    warnings: list[str] = []
    for name, path in ((SERVICE_FILE, layout.service_config_path),
                       (WIZARD_FILE, layout.wizard_config_path)):
        if path is not None and path.exists():
            files[name] = path.read_bytes()
            try:
                AppConfig.from_bytes(files[name], str(path))
            except UserError as exc:  # packed as found (it is the host's file), but said
                warnings.append(f"{exc.sentence()} It is packed as found; a restore will refuse it "
                                "until it is repaired.")
    thumb = doc.setting.certificate.strip() if doc.root.find("Setting") is not None else ""
    certificate = certificate or CertificatePart(thumb, None, "not read")
    if certificate.der:
        files[CERTIFICATE] = certificate.der
    portable = 0
    if passphrase is not None and found:
        values = {f"{s['connector']}\n{s['key']}": s["value"] for s in found}
        # the text of DPAPI values this machine decrypts, so another host can encrypt them again
        texts = readable_texts(doc, dpapi or default_dpapi())
        portable = len(texts)
        files[SECRETS] = encrypt_secrets({**values, **texts}, passphrase, bundle_id)
    manifest = {
        "format": FORMAT, "version": VERSION, "id": bundle_id, "tool": f"ecma-wizard {__version__}",
        "created": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine_name(), "source": str(layout.root or layout.config_path),
        "connectors": [c.name for c in doc.connectors],
        "port": doc.setting.port if doc.root.find("Setting") is not None else "",
        "files": {n: {"size": len(d), "sha256": sha256(d)} for n, d in files.items()},
        "dlls": dll_list(layout) if layout.root else [],
        "certificate": {"thumbprint": certificate.thumbprint or thumb,
                        "included": bool(certificate.der), "note": certificate.note},
        "secrets": {"mode": "encrypted" if SECRETS in files else "omitted",
                    "fields": [{k: s[k] for k in ("connector", "key", "label")} for s in found],
                    "portable": portable},
        "warnings": warnings,
    }
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr(MANIFEST, json.dumps(manifest, indent=2, ensure_ascii=False))
        for name, data in files.items():
            z.writestr(name, data)
    return BundleResult(buf.getvalue(), manifest)


# -- read (safely) -----------------------------------------------------------------------------
@dataclass
class Bundle:
    source: str
    manifest: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def id(self) -> str:
        return str(self.manifest.get("id", ""))

    def document(self) -> ConfigDocument:
        return ConfigDocument.from_bytes(self.files[CONFIGURATION], f"{self.source}!{CONFIGURATION}")


def _read_entry(z: zipfile.ZipFile, info: zipfile.ZipInfo, source: str, limit: int | None = None,
                what: str = "bundle") -> bytes:
    return read_entry(z, info, source, MAX_BYTES if limit is None else limit, what=what)


def checked_entries(z: zipfile.ZipFile, source: str) -> dict[str, zipfile.ZipInfo]:
    """The zip rules (app/safezip.py) with a bundle's limits: a handful of entries, small files."""
    return check_entries(z, source, what="bundle", max_entries=MAX_ENTRIES, max_total=MAX_TOTAL,
                         max_ratio=MAX_RATIO)


def _check_manifest(manifest: dict[str, Any], source: str) -> None:
    """The shape restore relies on; a crafted manifest is one sentence, not a traceback, and its
    DLL paths cannot point outside the host folder."""
    def bad(what: str) -> UserError:
        return UserError(f"has a {MANIFEST} with {what}; the bundle is damaged or not ours",
                         path=source)

    def records(value: object, keys: tuple[str, ...]) -> bool:
        return isinstance(value, list) and all(
            isinstance(r, dict) and all(isinstance(r.get(k), str) for k in keys) for r in value)

    if not isinstance(manifest.get("version", 0), int) or isinstance(manifest.get("version"), bool):
        raise bad("a version that is not a number")
    manifest.setdefault("version", 0)
    files = manifest.get("files", {})
    if not isinstance(files, dict) or not all(
            isinstance(m, dict) and isinstance(m.get("sha256"), str) for m in files.values()):
        raise bad("an unreadable file list")
    if not records(manifest.get("dlls", []), ("path", "sha256")):
        raise bad("an unreadable DLL list")
    unsafe = [d["path"] for d in manifest.get("dlls", []) if not safe_name(d["path"])]
    if unsafe:
        raise bad(f"an unsafe DLL path '{unsafe[0]}' (outside the host folder)")
    secrets = manifest.get("secrets", {})
    if not isinstance(secrets, dict) or not records(secrets.get("fields", []),
                                                    ("connector", "key", "label")):
        raise bad("an unreadable secrets list")
    certificate = manifest.get("certificate", {})
    if not isinstance(certificate, dict) or not isinstance(certificate.get("thumbprint", ""), str):
        raise bad("an unreadable certificate entry")


def read_bundle(data: bytes, source: str) -> Bundle:
    with open_zip(data, source) as z:
        names = checked_entries(z, source)
        if MANIFEST not in names:
            raise UserError(f"has no {MANIFEST}; it is not an ecma-wizard bundle", path=source)
        manifest = load_json(_read_entry(z, names[MANIFEST], source), source, MANIFEST)
        if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
            raise UserError(f"has a {MANIFEST} of another program; it is not an ecma-wizard "
                            "bundle", path=source)
        _check_manifest(manifest, source)
        if manifest["version"] > VERSION:
            raise UserError(f"was made by a newer ecma-wizard (bundle version "
                            f"{manifest.get('version')}); update this program", path=source)
        bundle = Bundle(source, manifest)
        for name in KNOWN[1:]:
            if name in names:
                bundle.files[name] = _read_entry(z, names[name], source)
    for name, meta in manifest.get("files", {}).items():
        got = bundle.files.get(name)
        if got is None:
            raise UserError(f"lacks {name}, which its manifest lists; the bundle is incomplete",
                            path=source)
        if sha256(got) != meta.get("sha256"):
            raise UserError(f"is damaged: {name} does not match its checksum in the manifest",
                            path=source)
    if CONFIGURATION not in bundle.files:
        raise UserError(f"holds no {CONFIGURATION}", path=source)
    return bundle


def restorable_secrets(bundle: Bundle, passphrase: str, *, here: str | None = None,
                       texts: dict[str, str] | None = None) -> tuple[dict[str, str], list[str]]:
    """Decrypted values safe to put back here, and labels of those that must be entered again:
    DPAPI ciphertext only decrypts on the machine that wrote it (docs/host-facts.md §2). `texts`,
    when given, receives the texts behind DPAPI values the source host could decrypt (key -> text)."""
    if SECRETS not in bundle.files:
        return {}, []
    values = decrypt_secrets(bundle.files[SECRETS], passphrase, bundle.id, bundle.source)
    same = (here or machine_name()) == str(bundle.manifest.get("machine", "")).upper()
    keep, elsewhere = {}, []
    for key, value in values.items():
        if key.endswith(TEXT_SUFFIX):  # texts behind DPAPI values: for encrypting again, not filling
            if texts is not None:
                texts[key[: -len(TEXT_SUFFIX)]] = value
            continue
        if same or not is_encrypted_blob(value):
            keep[key] = value
        else:
            elsewhere.append(key)
    return keep, elsewhere


def fill_secrets(config_bytes: bytes, values: dict[str, str], source: str) -> tuple[bytes, list[str]]:
    """Put decrypted secrets back into a blanked Configuration.xml; returns the keys used."""
    doc = ConfigDocument.from_bytes(config_bytes, source)
    used = []
    for c in doc.connectors:
        for s in secret_fields(c.el):
            value = values.get(f"{c.name}\n{s.key}")
            if value is not None and not s.value:
                doc.xml.set_text(s.el, value)
                used.append(f"{c.name}\n{s.key}")
    return doc.to_bytes(), used
