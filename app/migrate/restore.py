"""Put a backup bundle onto a host: through the stores, with a list of what is left to do.

Configuration.xml goes through `ConfigStore.write_bytes` (backup, atomic replace, lock); the
.exe.config files through the same store functions their module uses (`app/host/appconfig.py`).
Everything is read and checked before the first file is written.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config.document import ConfigDocument
from app.config.secretvalues import PLAIN, read_secret
from app.errors import UserError
from app.host.appconfig import AppConfig, AppConfigStore
from app.host.layout import HostLayout
from app.hostsecrets.dpapi import Dpapi, default_dpapi
from app.hostsecrets.portable import encrypt_into
from app.hostsecrets.writing import SecretRoute, plan_for
from app.migrate.bundle import (
    CONFIGURATION,
    SECRETS,
    SERVICE_FILE,
    WIZARD_FILE,
    Bundle,
    fill_secrets,
    machine_name,
    restorable_secrets,
    sha256,
)

if TYPE_CHECKING:  # the store (and cryptography) is loaded only when a bundle is restored
    from app.certs.store import CertificateStore


@dataclass
class RestoreReport:
    written: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    secrets_restored: list[str] = field(default_factory=list)
    secrets_to_enter: list[str] = field(default_factory=list)
    dlls_missing: list[str] = field(default_factory=list)
    dlls_different: list[str] = field(default_factory=list)
    certificate: str = ""
    notes: list[str] = field(default_factory=list)
    secrets_encrypted: list[str] = field(default_factory=list)  # encrypted for this host here

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def text(self) -> str:
        out = []
        for title, items in (("Written (the previous file was backed up first)", self.written),
                             ("Already identical", self.unchanged), ("Not restored", self.skipped),
                             ("Secrets put back", self.secrets_restored),
                             ("Secrets encrypted for this host (DPAPI, checked)", self.secrets_encrypted),
                             ("Enter again on this host", self.secrets_to_enter),
                             ("Connector DLLs to copy to this host", self.dlls_missing),
                             ("Connector DLLs that differ from the source host's", self.dlls_different),
                             ("Notes", self.notes)):
            if items:
                out.append(f"{title}:")
                out += [f"  - {i}" for i in items]
        if self.certificate:
            out.append(f"Certificate: {self.certificate}")
        return "\n".join(out)


def _label(key: str, fields: list[dict[str, Any]]) -> str:
    connector, _, secret = key.partition("\n")
    found = next((f["label"] for f in fields if f["connector"] == connector and f["key"] == secret),
                 secret)
    return f"{connector}: {found}"


def _dll_check(bundle: Bundle, layout: HostLayout, report: RestoreReport) -> None:
    listed = bundle.manifest.get("dlls", [])
    if not listed:
        return
    if layout.root is None:
        report.notes.append("The bundle lists connector DLLs; name the host folder (--host-dir) "
                            "to check them.")
        return
    for dll in listed:
        path = layout.root / Path(*dll["path"].split("/"))
        if not path.is_file():
            report.dlls_missing.append(dll["path"])
        elif sha256(path.read_bytes()) != dll["sha256"]:
            report.dlls_different.append(dll["path"])


def _certificate_check(bundle: Bundle, cert_store: CertificateStore | None, report: RestoreReport) -> None:
    cert = bundle.manifest.get("certificate", {})
    thumb = cert.get("thumbprint", "")
    if not thumb:
        report.certificate = "the source host had no certificate configured."
        return
    need = (f"{thumb} must be installed with its private key in LocalMachine\\My on this host "
            "(the bundle holds only the public part)")
    if cert_store is None:
        from app.certs.store import default_store

        cert_store = default_store()
    if not cert_store.available():
        report.certificate = f"{need}; this system cannot check: {cert_store.unavailable_reason}"
        return
    try:
        found = cert_store.find(thumb)
    except UserError as exc:
        report.certificate = f"{need}; the check failed: {exc.message}"
        return
    report.certificate = (f"{thumb} is installed on this host." if found is not None
                          else f"{need}; it is NOT installed yet (or generate a new one and save).")


def _write_app_config(path: Path, data: bytes) -> str:
    path.parent.mkdir(parents=True, exist_ok=True)
    backup = AppConfigStore(path).write_bytes(data).backup
    return f"{path}" + (f" (backup {backup.id})" if backup else " (new file)")


def _encrypt_for_this_host(config: bytes, texts: dict[str, str], layout: HostLayout,
                           dpapi: Dpapi, bridge_route: SecretRoute | None) -> tuple[bytes, list[str], str]:
    """Encrypt texts through the route proven here: learnt from this host's own Configuration.xml
    first (its values were made on this machine), else from the restored one."""
    source = str(layout.config_path)
    documents = []
    path = Path(layout.config_path)
    if path.is_file():
        try:
            documents.append(ConfigDocument.load(path))
        except UserError:  # the file being replaced may be broken: learn from the bundle's then
            pass
    documents.append(ConfigDocument.from_bytes(config, source))
    reason = ""
    for doc in documents:
        plan = plan_for(doc, dpapi, bridge_route)
        if plan.route is not None:
            return encrypt_into(config, texts, plan.route, source)
        reason = plan.reason
    return config, [], reason


def restore_bundle(bundle: Bundle, layout: HostLayout, *, passphrase: str | None = None,
                   cert_store: CertificateStore | None = None, here: str | None = None, dpapi: Dpapi | None = None,
                   bridge_route: SecretRoute | None = None) -> RestoreReport:
    report = RestoreReport()
    fields = bundle.manifest.get("secrets", {}).get("fields", [])
    config = bundle.files[CONFIGURATION]
    keys = {f"{f['connector']}\n{f['key']}" for f in fields}
    if SECRETS in bundle.files and passphrase:
        texts: dict[str, str] = {}
        values, elsewhere = restorable_secrets(bundle, passphrase, here=here, texts=texts)
        config, used = fill_secrets(config, values, str(layout.config_path))
        # values from another machine whose text travelled, and values stored as typed: encrypted
        # for this host when a route is proven here (app/hostsecrets/writing.py)
        wanted = {k: t for k, t in texts.items() if k in elsewhere}
        wanted.update({k: v for k, v in values.items() if k in used and read_secret(v).state == PLAIN})
        encrypted: list[str] = []
        if wanted:
            config, encrypted, why = _encrypt_for_this_host(config, wanted, layout, dpapi or default_dpapi(),
                                                            bridge_route)
            report.secrets_encrypted = [_label(k, fields) for k in encrypted]
            elsewhere = [k for k in elsewhere if k not in encrypted]
            used = [k for k in used if k not in encrypted]
            if why and any(k in texts for k in wanted if k not in encrypted):
                report.notes.append(f"Some secrets could be encrypted for this host but were not: {why}")
        report.secrets_restored = [_label(k, fields) for k in used]
        keys -= set(encrypted)
        if elsewhere:
            report.notes.append(f"The bundle was made on {bundle.manifest.get('machine')}, this is "
                                f"{here or machine_name()}: DPAPI-encrypted secrets only work on the "
                                "machine that encrypted them.")
        keys -= set(used)
    elif SECRETS in bundle.files:
        report.notes.append("The bundle's secrets are encrypted; no passphrase was given, so "
                            "they were not put back.")
    report.secrets_to_enter = sorted(_label(k, fields) for k in keys)
    # Plan every write before the first one (checked, readable, where it goes).
    plan: list[tuple[str, Path, bytes]] = [("config", Path(layout.config_path), config)]
    for name, path in ((SERVICE_FILE, layout.service_config_path),
                       (WIZARD_FILE, layout.wizard_config_path)):
        if name not in bundle.files:
            continue
        if path is None:
            report.skipped.append(f"{name} (name the host folder with --host-dir to restore it)")
            continue
        AppConfig.from_bytes(bundle.files[name], f"{bundle.source}!{name}")
        plan.append(("app", path, bundle.files[name]))
    for kind, path, data in plan:
        if path.exists() and path.read_bytes() == data:
            report.unchanged.append(str(path))
        elif kind == "config":
            path.parent.mkdir(parents=True, exist_ok=True)
            result = layout.config_store().write_bytes(data)
            report.written.append(f"{path}" + (f" (backup {result.backup.id})" if result.backup
                                               else " (new file)"))
            report.notes += result.warnings
        else:
            report.written.append(_write_app_config(path, data))
    _dll_check(bundle, layout, report)
    _certificate_check(bundle, cert_store, report)
    return report
