"""Compare two hosts (active and passive, docs/host-facts.md §8): Configuration.xml files, backup
bundles, host reports or install folders, in any pairing.

Builds on `app.config.diff.diff_documents` and adds what lives outside Configuration.xml: the
two .exe.config files (read by `app.host.appconfig`), the connector DLLs by SHA-256, and the
certificate. Secrets are compared by presence, and by value where this machine can read both
sides (plain text, or DPAPI it can decrypt: app/hostsecrets/compare.py), never showing either:
DPAPI ciphertext of the same token differs from machine to machine, so the ciphertexts say nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from app.config.diff import SECRET, Change, diff_documents
from app.config.document import ConfigDocument
from app.config.secretfields import secret_fields
from app.config.xmltext import read_file
from app.errors import UserError
from app.host.appconfig import AppConfig
from app.host.layout import HostLayout, from_config, from_host_dir
from app.hostsecrets.compare import same_secret
from app.hostsecrets.dpapi import Dpapi, default_dpapi
from app.masking import secret_name
from app.migrate import bundle as bundles

if TYPE_CHECKING:
    from app.certs.inspect import CertificateInfo
    from app.report.reader import HostReport

ROLES = (("service", "service-config"), ("wizard", "wizard-config"))
_SECRET_MARKS = {SECRET, SECRET + " (differs)"}


@dataclass
class HostSnapshot:
    """One side of a comparison, whatever it was read from."""

    label: str
    kind: str  # configuration | bundle | report | host
    document: ConfigDocument
    app_configs: dict[str, AppConfig | None] | None = None  # None: not known (a lone file)
    dlls: dict[str, str] | None = None  # path under the install folder -> SHA-256
    secrets: dict[tuple[str, str], str] = field(default_factory=dict)  # (connector, key) -> label
    certificate: CertificateInfo | None = None  # when the host or bundle has one
    # (connector, key) -> the value as stored (ciphertext or typed); only for comparing, never shown
    secret_values: dict[tuple[str, str], str] = field(default_factory=dict, repr=False)


@dataclass
class HostDiff:
    a: str
    b: str
    changes: list[Change]
    notes: list[str]

    def to_dict(self) -> dict[str, Any]:
        return {"a": self.a, "b": self.b, "notes": self.notes,
                "changes": [c.to_dict() for c in self.changes]}


def is_host_source(path: str | Path) -> bool:
    """True for a folder or a zip (a bundle): what plain `diff` cannot read."""
    p = Path(path)
    if p.is_dir():
        return True
    try:
        with p.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return p.suffix.lower() == ".zip"


def _is_zip(p: Path) -> bool:
    try:
        with p.open("rb") as fh:
            return fh.read(4) == b"PK\x03\x04"
    except OSError:
        return False


def _doc_secrets(doc: ConfigDocument) -> dict[tuple[str, str], str]:
    return {(c.name, s.key): s.label for c in doc.connectors for s in secret_fields(c.el) if s.value}


def _doc_secret_values(doc: ConfigDocument) -> dict[tuple[str, str], str]:
    return {(c.name, s.key): s.value for c in doc.connectors for s in secret_fields(c.el) if s.value}


def _app_configs(layout: HostLayout) -> dict[str, AppConfig | None]:
    out: dict[str, AppConfig | None] = {}
    for role, path in (("service", layout.service_config_path), ("wizard", layout.wizard_config_path)):
        out[role] = AppConfig.load(path) if path is not None and path.exists() else None
    return out


def load_snapshot(path: str | Path) -> HostSnapshot:
    p = Path(path)
    if p.is_dir():
        layout = from_host_dir(p)
        doc = ConfigDocument.load(layout.config_path)
        dlls = {d["path"]: d["sha256"] for d in bundles.dll_list(layout)}
        return HostSnapshot(str(p), "host", doc, _app_configs(layout), dlls, _doc_secrets(doc),
                            secret_values=_doc_secret_values(doc))
    if _is_zip(p):
        from app.report import reader as reports  # a host report is the other kind of zip

        data = reports.read_zip_file(p)
        if reports.is_report(data):
            return _report_snapshot(reports.read_report(data, str(p)))
        return _bundle_snapshot(bundles.read_bundle(data, str(p)))
    data = read_file(p)
    doc = ConfigDocument.from_bytes(data, str(p))
    layout = from_config(p)
    if layout.root is not None:  # a Configuration.xml inside an install tree: the whole host
        return load_snapshot(layout.root)
    return HostSnapshot(str(p), "configuration", doc, secrets=_doc_secrets(doc),
                        secret_values=_doc_secret_values(doc))


def _report_snapshot(report: HostReport) -> HostSnapshot:
    """One side of a host comparison from a host report (app/report/reader.py)."""
    from app.report.host_parts import CONFIGURATION, SERVICE_FILE, WIZARD_FILE

    doc = report.configuration()
    if doc is None:
        raise UserError(f"holds no {CONFIGURATION} (it was left out), so it cannot be compared", path=report.source)
    configs = {}
    for role, name in (("service", SERVICE_FILE), ("wizard", WIZARD_FILE)):
        configs[role] = AppConfig.from_bytes(report.member(name), f"{report.source}!{name}") if report.has(name) else None
    # DLL paths are relative to the install folder in both, so a report compares with a host
    return HostSnapshot(report.source, "report", doc, configs, report.dlls(), _doc_secrets(doc))


def _bundle_snapshot(b: bundles.Bundle) -> HostSnapshot:
    configs: dict[str, AppConfig | None] = {}
    for role, name in (("service", bundles.SERVICE_FILE), ("wizard", bundles.WIZARD_FILE)):
        configs[role] = (AppConfig.from_bytes(b.files[name], f"{b.source}!{name}")
                         if name in b.files else None)
    secrets = {(f["connector"], f["key"]): f["label"]
               for f in b.manifest.get("secrets", {}).get("fields", [])}
    cert = None
    if bundles.CERTIFICATE in b.files:
        from app.certs.inspect import load_certificate_bytes

        try:
            cert = load_certificate_bytes(b.files[bundles.CERTIFICATE], source=b.source).info()
        except UserError:
            cert = None
    dlls = {d["path"]: d["sha256"] for d in b.manifest.get("dlls", [])} if b.manifest.get("dlls") \
        else None
    return HostSnapshot(b.source, "bundle", b.document(), configs, dlls, secrets, cert)


# -- comparing ---------------------------------------------------------------------------------
def app_settings(config: AppConfig) -> dict[str, str]:
    out = {}
    for el in config.xml.root.iterfind("appSettings/add"):
        if el.get("key"):
            out[el.get("key")] = el.get("value", "")
    for source in config.sources:
        out[f"{source} switchValue"] = config.switch_value(source) or ""
    return out


def _compare(area: str, left: dict[str, str], right: dict[str, str], connector: str = "") -> list[Change]:
    out = []
    for key in list(left) + [k for k in right if k not in left]:
        if left.get(key) != right.get(key):
            out.append(Change(connector, area, key, left.get(key), right.get(key)))
    return out


def _typed_secret(a: HostSnapshot, b: HostSnapshot, ch: Change) -> bool:
    for doc in (a.document, b.document):
        c = doc.find_connector(ch.connector) if ch.connector else None
        p = c.parameter(ch.field) if c is not None else None
        if p is not None and p.is_secret:
            return True
    return False


def _hide_secret_settings(changes: list[Change]) -> list[Change]:
    """A setting whose name says secret (StorageAccountKey, ClientSecret) changes without its values."""
    def shown(v: str | None) -> str | None:
        return None if v is None else (SECRET if v else "")
    out = []
    for ch in changes:
        if secret_name(ch.field):
            old, new = shown(ch.old), shown(ch.new)
            ch = Change(ch.connector, ch.area, ch.field, old, SECRET + " (differs)" if old == new else new)
        out.append(ch)
    return out


def _secret_changes(a: HostSnapshot, b: HostSnapshot, dpapi: Dpapi | None = None,
                    same: list[str] | None = None) -> list[Change]:
    """Set on one side only; and, where this machine can read both values, "differs" (the labels
    of equal ones go to `same`)."""
    names_b = {c.name for c in b.document.connectors}
    out = []
    for c in a.document.connectors:
        if c.name not in names_b:
            continue
        keys = [k for k in a.secrets if k[0] == c.name] + [k for k in b.secrets
                                                          if k[0] == c.name and k not in a.secrets]
        for key in keys:
            if (key in a.secrets) != (key in b.secrets):
                label = a.secrets[key] if key in a.secrets else b.secrets[key]
                out.append(Change(c.name, "secret", label, "set" if key in a.secrets else "empty",
                                  "set" if key in b.secrets else "empty"))
            elif dpapi is not None and key in a.secret_values and key in b.secret_values:
                equal = same_secret(a.secret_values[key], b.secret_values[key], dpapi)
                if equal is False:
                    out.append(Change(c.name, "secret", a.secrets[key], "set", "set, differs"))
                elif equal and same is not None:
                    same.append(f"{c.name}: {a.secrets[key]}")
    return out


def _certificate_changes(a: HostSnapshot, b: HostSnapshot) -> list[Change]:
    if a.certificate is None or b.certificate is None:
        return []
    fields = lambda i: {"Subject": i.subject, "Expires": i.not_after.date().isoformat(),  # noqa: E731
                        "Names": ", ".join(i.sans)}
    return _compare("certificate", fields(a.certificate), fields(b.certificate))


def diff_snapshots(a: HostSnapshot, b: HostSnapshot, dpapi: Dpapi | None = None) -> HostDiff:
    # secrets by type are compared below (set/empty, same value); secrets only by name stay as the
    # document diff shows them: "(secret)", "(secret) (differs)"
    changes = [ch for ch in diff_documents(a.document, b.document)
               if not ((ch.old in _SECRET_MARKS or ch.new in _SECRET_MARKS) and _typed_secret(a, b, ch)
                       or (ch.area, ch.field) == ("properties", "SecretToken"))]
    same: list[str] = []
    changes += _secret_changes(a, b, dpapi or default_dpapi(), same)
    notes = ["Secrets are compared as set or empty, and by value only where this machine can read "
             "both (plain text, or DPAPI it can decrypt): encrypted values differ per machine even "
             "when equal."]
    if same:
        notes.append("Same value on both sides: " + "; ".join(same) + ".")
    if a.app_configs is not None and b.app_configs is not None:
        for role, area in ROLES:
            left, right = a.app_configs.get(role), b.app_configs.get(role)
            if left is None and right is None:
                continue
            if left is None or right is None:
                changes.append(Change("", area, "(file)", "present" if left else None,
                                      "present" if right else None))
                continue
            changes += _hide_secret_settings(_compare(area, app_settings(left), app_settings(right)))
    else:
        notes.append("The .exe.config files were not compared: one side is a lone "
                     "Configuration.xml.")
    if a.dlls is not None and b.dlls is not None:
        short = {k: v[:12] for k, v in a.dlls.items()}, {k: v[:12] for k, v in b.dlls.items()}
        changes += _compare("dll", *short)
    else:
        notes.append("The connector DLLs were not compared: one side has no DLL list.")
    changes += _certificate_changes(a, b)
    if a.certificate is None or b.certificate is None:
        notes.append("Certificates were compared by thumbprint only (a public part was not "
                     "available on both sides).")
    return HostDiff(a.label, b.label, changes, notes)


def diff_hosts(a: str | Path, b: str | Path, dpapi: Dpapi | None = None) -> HostDiff:
    return diff_snapshots(load_snapshot(a), load_snapshot(b), dpapi)
