"""CLI: import-ma, export, import, bundle create|restore, report; and `diff` of hosts.

`diff` itself is registered by app/cli/config.py; it hands over to `cmd_host_diff` when an
argument is a bundle or a host folder.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable
from pathlib import Path

from app.certs.inspect import CertificateInfo
from app.cli.common import add_location_options, layout_from_args, print_json
from app.config.builders import EMPTY_CONFIGURATION
from app.config.diff import format_change
from app.config.document import ConfigDocument
from app.config.rules import ERROR, validate
from app.config.store import ConfigStore, SaveResult
from app.config.xmltext import read_file
from app.errors import UserError
from app.host.layout import HostLayout
from app.migrate import asbuilt, bundle, connectors, hostdiff, mim_mapping, restore


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("import-ma", help="add a connector from a MIM management-agent export")
    add_location_options(p)
    p.add_argument("file", help="an <export-ma>, <saved-ma-configuration> or <ma-data> XML file")
    p.add_argument("--name", help="the new connector's name (default: the agent's name)")
    p.add_argument("--object-type", help="the MIM object class to use when there are several")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import_ma)

    p = sub.add_parser("export", help="export connectors in Microsoft's format, secrets blanked")
    add_location_options(p)
    p.add_argument("connector", nargs="?", help="one connector (default: all)")
    p.add_argument("--out", required=True, metavar="FILE")
    p.set_defaults(func=cmd_export)

    p = sub.add_parser("import", help="import connectors from an export (Microsoft's or ours)")
    add_location_options(p)
    p.add_argument("file")
    p.add_argument("--on-clash", choices=("ask", "rename", "replace", "skip"), default="ask",
                   help="when a connector of the same name exists (default: ask)")
    p.add_argument("--as", dest="new_name", metavar="NAME", help="the new name when renaming")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_import)

    p = sub.add_parser("bundle", help="backup bundle of a host: create, or restore onto a host")
    bsub = p.add_subparsers(dest="action", metavar="ACTION", required=True)
    q = bsub.add_parser("create", help="zip the configuration, .exe.config files, DLL list, certificate")
    add_location_options(q)
    q.add_argument("--out", required=True, metavar="FILE.zip")
    q.add_argument("--secrets", choices=("omit", "encrypt"), default="omit",
                   help="leave secrets out (default) or encrypt them under a passphrase")
    q.add_argument("--passphrase-env", metavar="VAR", help="environment variable holding the passphrase")
    q.add_argument("--certificate", metavar="FILE", help="the certificate's public part (.cer/.pem)")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_bundle_create)
    q = bsub.add_parser("restore", help="restore a bundle onto this host (backups are taken first)")
    add_location_options(q)
    q.add_argument("file", metavar="FILE.zip")
    q.add_argument("--passphrase-env", metavar="VAR", help="environment variable holding the passphrase")
    q.add_argument("--yes", action="store_true", help="do not ask for confirmation")
    q.add_argument("--json", action="store_true")
    q.set_defaults(func=cmd_bundle_restore)

    p = sub.add_parser("report", help="as-built report of a host (HTML or Markdown)")
    add_location_options(p)
    p.add_argument("--source", metavar="PATH", help="a bundle, host folder or Configuration.xml "
                   "instead of --config/--host-dir")
    p.add_argument("--out", required=True, metavar="FILE", help="FILE.html or FILE.md")
    p.add_argument("--format", choices=("html", "md"), help="default: from the file name")
    p.set_defaults(func=cmd_report)


# -- helpers -----------------------------------------------------------------------------------
def _tty() -> bool:
    return sys.stdin.isatty()


def _passphrase(var: str | None, *, confirm: bool, prompt: Callable[[str], str] | None = None) -> str:
    if var:
        value = os.environ.get(var, "")
        if not value:  # never echo the variable's value: users paste passphrases there
            raise UserError("--passphrase-env names an environment variable that is not set or "
                            "empty (give the variable's name, not the passphrase)")
        return value
    if not _tty():
        raise UserError("a passphrase is needed: give it with --passphrase-env VAR "
                        "(never on the command line)")
    if prompt is None:
        import getpass

        prompt = getpass.getpass
    first = prompt("Bundle passphrase: ")
    if confirm and prompt("Again: ") != first:
        raise UserError("the two passphrases differ")
    return first


_write_out = connectors.write_file


def _load_or_new(store: ConfigStore) -> ConfigDocument:
    if store.path.exists():
        return store.load()
    return ConfigDocument.from_bytes(EMPTY_CONFIGURATION, str(store.path))


def _save(store: ConfigStore, doc: ConfigDocument) -> SaveResult:
    result = store.save(doc)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    return result


# -- import-ma ---------------------------------------------------------------------------------
def cmd_import_ma(args: argparse.Namespace) -> int:
    mapped = mim_mapping.import_management_agent(read_file(args.file), args.file, name=args.name,
                                                 object_type=args.object_type)
    if not mapped.spec.name:
        raise UserError("names no management agent; give the connector a name with --name",
                        path=args.file)
    store = layout_from_args(args).config_store()
    doc = _load_or_new(store)
    if doc.connector(mapped.spec.name) is not None:
        raise UserError(f"already has a connector named '{mapped.spec.name}'; choose another name "
                        "with --name", path=store.path)
    doc.add_connector(mapped.element())
    result = _save(store, doc)
    findings = [f for f in validate(result.document) if f.connector in (mapped.spec.name, None)
                and (f.connector or f.severity == ERROR)]
    if args.json:
        print_json({"file": str(store.path), "report": mapped.report.to_dict(),
                    "findings": [f.to_dict() for f in findings]})
    else:
        print(mapped.report.text())
        print(f"Saved to {store.path}" + (f" (backup {result.backup.id})" if result.backup else ""))
        for f in findings:
            print(f"{f.severity.upper():8} {f.where()}: {f.message}")
    return 1 if any(f.severity == ERROR for f in findings) else 0


# -- export / import ---------------------------------------------------------------------------
def cmd_export(args: argparse.Namespace) -> int:
    doc = ConfigStore(layout_from_args(args).config_path).load()
    result = connectors.export_connectors(doc, [args.connector] if args.connector else None)
    out = Path(args.out)
    _write_out(out, result.data)
    print(f"Exported {', '.join(result.connectors)} to {out}.")
    for name, labels in result.blanked.items():
        if labels:
            print(f"  {name}: left out (as Microsoft's export does): {', '.join(labels)}")
    return 0


def _clash_answer(args: argparse.Namespace,
                  prompt: Callable[[str], str] | None = None) -> Callable[[str, str], connectors.ClashAnswer]:
    def answer(name: str, suggested: str) -> connectors.ClashAnswer:
        ask = prompt or input  # looked up now, so a test (or a GUI) can stand in
        choice = args.on_clash
        if choice == "ask":
            if not _tty():
                raise UserError(f"holds connector '{name}', and a connector of that name exists "
                                "already; run again with --on-clash rename|replace|skip",
                                path=args.file)
            reply = ask(f"A connector named '{name}' exists. [r]ename, re[p]lace or [s]kip? ")
            choice = {"r": "rename", "p": "replace", "s": "skip"}.get(reply.strip()[:1].lower(), "skip")
        if choice == "rename":
            new = args.new_name or suggested
            if args.on_clash == "ask" and not args.new_name:
                new = ask(f"New name [{suggested}]: ").strip() or suggested
            return connectors.ClashAnswer("rename", new)
        return connectors.ClashAnswer(choice)
    return answer


def cmd_import(args: argparse.Namespace) -> int:
    source = connectors.read_connector_file(read_file(args.file), args.file)
    store = layout_from_args(args).config_store()
    doc = _load_or_new(store)
    results = connectors.import_connectors(doc, source, _clash_answer(args))
    saved = _save(store, doc) if doc.modified else None
    if args.json:
        print_json({"file": str(store.path), "connectors": [r.to_dict() for r in results]})
        return 0
    for r in results:
        named = f" as '{r.name}'" if r.name != r.source_name else ""
        print(f"{r.source_name}: {r.action}{named}")
        if r.secrets_to_enter:
            print(f"  enter again: {', '.join(r.secrets_to_enter)}")
        if r.foreign_secrets:
            print(f"  carried encrypted (DPAPI, valid only on the machine that wrote them): "
                  f"{', '.join(r.foreign_secrets)}")
    if saved is not None:
        print(f"Saved to {store.path}" + (f" (backup {saved.backup.id})" if saved.backup else ""))
    return 0


# -- bundles -----------------------------------------------------------------------------------
def _certificate(args: argparse.Namespace, thumbprint: str) -> bundle.CertificatePart:
    from cryptography.hazmat.primitives.serialization import Encoding

    if args.certificate:
        from app.certs.inspect import load_certificate, thumbprint_of

        cert = load_certificate(args.certificate).certificate
        got = thumbprint_of(cert)
        note = "" if got == thumbprint.upper() else (
            f"the file's certificate {got} is not the configured one ({thumbprint or 'none'})")
        return bundle.CertificatePart(got, cert.public_bytes(Encoding.DER), note)
    if not thumbprint:
        return bundle.CertificatePart("", None, "no certificate is configured")
    from app.certs.store import default_store

    store = default_store()
    if not store.available():
        return bundle.CertificatePart(thumbprint, None, f"public part not included: "
                                      f"{store.unavailable_reason}; give it with --certificate FILE")
    info = store.find(thumbprint)
    if info is None or not info.der:
        return bundle.CertificatePart(thumbprint, None, "not found in LocalMachine\\My")
    return bundle.CertificatePart(thumbprint, info.der, "from LocalMachine\\My")


def cmd_bundle_create(args: argparse.Namespace) -> int:
    layout = layout_from_args(args)
    doc = ConfigStore(layout.config_path).load()
    thumb = doc.setting.certificate.strip() if doc.root.find("Setting") is not None else ""
    passphrase = _passphrase(args.passphrase_env, confirm=True) if args.secrets == "encrypt" else None
    result = bundle.create_bundle(layout, passphrase=passphrase, certificate=_certificate(args, thumb))
    out = Path(args.out)
    _write_out(out, result.data)
    m = result.manifest
    for warning in m["warnings"]:
        print(f"warning: {warning}", file=sys.stderr)
    if args.json:
        print_json({"file": str(out), "manifest": m})
        return 0
    print(f"Bundle written to {out} ({len(result.data):,} bytes): {len(m['connectors'])} connector(s), "
          f"{len(m['files'])} file(s), {len(m['dlls'])} DLL(s) listed.")
    fields = m["secrets"]["fields"]
    if fields and m["secrets"]["mode"] == "omitted":
        print(f"Secrets left out ({len(fields)}): they must be entered again after a restore.")
    elif fields:
        portable = m["secrets"].get("portable", 0)
        print(f"Secrets encrypted under your passphrase ({len(fields)}); DPAPI ties them to "
              f"{m['machine']}" + (f", and {portable} also travel as text (under the passphrase) so "
                                   "another host can encrypt them again." if portable else "."))
    if m["certificate"]["note"]:
        print(f"Certificate: {m['certificate']['note']}")
    return 0


def cmd_bundle_restore(args: argparse.Namespace, prompt: Callable[[str], str] | None = None) -> int:
    prompt = prompt or input
    loaded = bundle.read_bundle(read_file(args.file), args.file)
    layout = layout_from_args(args)
    if not args.yes:
        if not _tty():
            raise UserError("restoring replaces this host's files (backups are taken first); "
                            "add --yes to go ahead")
        where = layout.root or layout.config_path
        if prompt(f"Restore {args.file} onto {where}? [y/N] ").strip().lower()[:1] != "y":
            print("Nothing was restored.")
            return 0
    passphrase = None
    if bundle.SECRETS in loaded.files and (args.passphrase_env or _tty()):
        passphrase = _passphrase(args.passphrase_env, confirm=False)
    report = restore.restore_bundle(loaded, layout, passphrase=passphrase)
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.text())
    return 0


# -- diff and report ---------------------------------------------------------------------------
def cmd_host_diff(args: argparse.Namespace) -> int:
    result = hostdiff.diff_hosts(args.a, args.b)
    if getattr(args, "json", False):
        print_json(result.to_dict())
        return 0
    print(f"A: {result.a}\nB: {result.b}")
    for ch in result.changes:
        print(format_change(ch))
    if not result.changes:
        print("No differences.")
    for note in result.notes:
        print(f"note: {note}")
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    snap = hostdiff.load_snapshot(args.source) if args.source else \
        hostdiff.load_snapshot(_report_source(layout_from_args(args)))
    if snap.certificate is None and snap.kind == "host":
        snap.certificate = _installed_certificate(snap.document)
    out = Path(args.out)
    fmt = args.format or ("md" if out.suffix.lower() in (".md", ".markdown") else "html")
    _write_out(out, asbuilt.render(snap, fmt).encode("utf-8"))
    print(f"As-built report of {snap.label} written to {out} ({fmt}).")
    return 0


def _installed_certificate(doc: ConfigDocument) -> CertificateInfo | None:
    """The configured certificate's details from LocalMachine\\My, where there is one (Windows)."""
    thumb = doc.setting.certificate.strip() if doc.root.find("Setting") is not None else ""
    if not thumb:
        return None
    from app.certs.store import default_store

    store = default_store()
    if not store.available():
        return None
    try:
        return store.find(thumb)
    except UserError:
        return None


def _report_source(layout: HostLayout) -> Path:
    return layout.root if layout.root is not None else layout.config_path
