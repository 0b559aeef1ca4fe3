"""The parts of a report that only the Windows host can answer, through the existing interfaces
(app.host.service, app.host.machine, app.certs.store) and the report's own read-only commands.
Off Windows each part is one line of the summary saying why it is missing."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from app.config.document import ConfigDocument
from app.errors import UserError
from app.events.records import EventTable
from app.events.sources.xml_dump import scan_events
from app.host.machine import WindowsMachine, account_names, has_full_control, version_command
from app.host.service import WindowsServiceControl, qc_command
from app.report import windows
from app.report.context import ReportContext
from app.report.host_parts import EXECUTABLES, summarize_events


def gather(ctx: ReportContext) -> None:
    if not ctx.on_windows:
        why = ctx.not_here()
        for what in ("the .NET Framework release, Windows build and PowerShell 5.1", "the service's state, "
                     "start type and account", "the port's TLS binding and URL reservation (netsh http show "
                     "sslcert / urlacl)", r"the certificates in LocalMachine\My and Root",
                     "the cache folders' access lists (icacls)"):
            ctx.leave_out(what, why)
        return
    for step in (versions, service, bindings, certificates, cache_acls, events):
        if ctx.cancelled():
            return
        step(ctx)


def _configured(ctx: ReportContext) -> tuple[str, list[str]]:
    try:
        doc = ConfigDocument.load(ctx.layout.config_path)
    except UserError:
        return "", []
    return doc.setting.certificate.strip(), [c.name for c in doc.connectors]


def versions(ctx: ReportContext) -> None:
    ctx.progress("versions")
    found: dict[str, Any] = {}
    result, entry = ctx.recorder.run(windows.versions_command())
    if isinstance(entry.parsed, dict):
        found.update(entry.parsed)
    if ctx.layout.root is not None:
        for role, rel in EXECUTABLES:
            exe = ctx.layout.root / rel
            if exe.exists():
                _result, got = ctx.recorder.run(version_command(exe))
                found[f"{role}_file_version"] = got.parsed
    ctx.add_json("windows/versions.json", found, ".NET Framework release, Windows build, PowerShell 5.1, "
                 "ECMA2Host file versions as Windows reports them")
    ctx.facts["windows"] = found


def service(ctx: ReportContext) -> None:
    ctx.progress("the service")
    control = WindowsServiceControl(run=ctx.recorder)
    try:
        status = control.status()
    except UserError as exc:
        ctx.leave_out("the service's state", exc.sentence())
        return
    start_type = None
    if status.name:
        _result, entry = ctx.recorder.run(qc_command(status.name))
        start_type = (entry.parsed or {}).get("start_type") if isinstance(entry.parsed, dict) else None
    data = {"name": status.name, "display_name": status.display_name, "state": status.state.label,
            "pid": status.pid, "account": status.account, "start_type": start_type}
    ctx.add_json("windows/service.json", data, "the ECMA2Host service: state, start type, account")
    ctx.facts["service"] = data


def bindings(ctx: ReportContext) -> None:
    ctx.progress("TLS bindings and URL reservations")
    _r, ssl = ctx.recorder.run(windows.sslcert_all_command())
    _r, acl = ctx.recorder.run(windows.urlacl_command())
    ctx.add_json("windows/http.json", {"sslcert": ssl.parsed, "sslcert_note": ssl.parse_note or ssl.error,
                                       "urlacl": acl.parsed, "urlacl_note": acl.parse_note or acl.error},
                 "HTTP.sys TLS bindings (netsh http show sslcert) and URL reservations (urlacl)")


def certificates(ctx: ReportContext) -> None:
    ctx.progress("certificates")
    configured, _names = _configured(ctx)
    _r, listing = ctx.recorder.run(windows.certificates_command())
    _r, certutil = ctx.recorder.run(windows.certutil_store_command("My"))
    if isinstance(listing.parsed, list):
        chosen = windows.certificates_that_matter(listing.parsed, configured)
        ctx.add_json("windows/certificates.json", {"configured_thumbprint": configured, "certificates": chosen},
                     r"certificates of LocalMachine\My and the Root ones that issued them (subject, names, "
                     "thumbprint, validity; never a key)")
    else:
        ctx.leave_out("the certificate list", listing.parse_note or listing.error or "PowerShell printed nothing")
    if certutil.parsed is None:
        ctx.leave_out("certutil's view of the My store", certutil.parse_note or certutil.error)


def cache_acls(ctx: ReportContext) -> None:
    ctx.progress("cache folder access lists")
    _configured_thumb, names = _configured(ctx)
    machine = WindowsMachine(run=ctx.recorder)
    account = (ctx.facts.get("service") or {}).get("account")
    out: list[dict[str, Any]] = []
    for name in names:
        folder = ctx.layout.cache_dir(name)
        if folder is None or not folder.is_dir():
            out.append({"connector": name, "folder": None, "note": "no cache folder"})
            continue
        entries = machine.acl(folder)
        full = None if entries is None else has_full_control(entries, account_names(account))
        out.append({"connector": name, "folder": str(folder), "service_account_full_control": full,
                    "entries": None if entries is None else [{"account": e.account, "rights": list(e.rights),
                                                              "full_control": e.full_control} for e in entries]})
    ctx.add_json("windows/cache-acls.json", out, "each connector's cache folder access list (icacls), summarised")
    ctx.facts["cache_acls"] = {a["connector"]: a.get("service_account_full_control") for a in out}


def events(ctx: ReportContext) -> None:
    ctx.progress("the event log")
    result, entry = ctx.recorder.run(windows.events_command(ctx.options.days))
    if result is None or result.returncode != 0:
        lines = (result.stderr or result.stdout).strip().splitlines() if result is not None else []
        why = entry.error or (lines[0] if lines else f"exit code {entry.returncode}")
        ctx.leave_out("the ECMA2Host event log", f"wevtutil could not read it: {why}")
        return
    data = result.stdout.encode("utf-8")
    entry.stdout = f"(the events are the member events/ECMA2Host.xml, {len(data):,} bytes)"
    del result  # the text copy of a large log is not kept beside its bytes
    table = EventTable()
    scan_events(data, 0, table)
    rows = list(range(len(table)))
    summarize_events(ctx, table, rows, f"the live ECMA2Host log (wevtutil qe), the last {ctx.options.days} day(s)")

    def stream() -> Iterator[bytes]:
        for r in rows:
            start = table.locators[r]
            end = data.find(b"</Event>", start)
            yield data[start:end + 8] + b"\r\n"

    ctx.events = stream
    ctx.events_what = f"the ECMA2Host log, last {ctx.options.days} day(s), as XML ({len(rows):,} events)"
