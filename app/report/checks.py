"""The parts of a report that judge the host: the doctor's findings, the connection test (only when
a token is given; the token itself is never written), and each connector DLL's pages through the
bridge (its own definitions: no value of the host is passed to it)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.bridge import locate
from app.bridge.errors import BridgeError, BridgeErrorKind
from app.bridge.session import ConnectorSession
from app.certs.status import CertificateStatus, gather_status
from app.certs.store import UnavailableStore, WindowsCertificateStore
from app.config.document import ConfigDocument
from app.diagnostics.connection import ConnectionTarget, run_connection_test
from app.diagnostics.doctor import run_doctor
from app.diagnostics.tokens import remembered_token
from app.errors import UserError
from app.host.dlls import DEPENDENCY_REASON, is_dependency, read_dll
from app.host.machine import Machine, UnavailableMachine, WindowsMachine, local_host_names
from app.host.service import ServiceControl, UnavailableServiceControl, WindowsServiceControl
from app.report.context import ReportContext

PAGES_IN_ORDER = ("Connectivity", "Capabilities", "Schema", "Global", "Partition", "RunStep")
_STOPPING = frozenset({BridgeErrorKind.CRASHED, BridgeErrorKind.UNAVAILABLE, BridgeErrorKind.TIMED_OUT,
                       BridgeErrorKind.CANCELLED})
MAX_DLLS = 20  # a host's Service\ECMA also holds the connectors' own dependencies


def doctor(ctx: ReportContext) -> None:
    ctx.progress("the doctor's checks")
    on_windows = ctx.on_windows
    machine: Machine = WindowsMachine(run=ctx.recorder) if on_windows else UnavailableMachine(ctx.options.platform)
    service: ServiceControl = (WindowsServiceControl(run=ctx.recorder) if on_windows
                               else UnavailableServiceControl(ctx.options.platform))

    def certificate_check(configured: str | None, port: int | None, probe: bool) -> CertificateStatus:
        store = WindowsCertificateStore(run=ctx.recorder) if on_windows else UnavailableStore(ctx.options.platform)
        endpoint = ("localhost", port) if probe and port and ctx.options.probe_endpoint else None
        return gather_status(configured, host_names=local_host_names(), store=store, endpoint=endpoint)

    try:
        report = run_doctor(ctx.layout, machine=machine, service=service, certificate_check=certificate_check)
    except UserError as exc:
        ctx.leave_out("the doctor's findings", exc.sentence())
        return
    data = report.to_json()
    ctx.add_json("checks/doctor.json", data, "the host doctor's checks: each result and what to do")
    ctx.facts["doctor"] = {"problems": data["problems"], "checks": len(data["checks"])}


def connection(ctx: ReportContext) -> None:
    try:
        doc = ConfigDocument.load(ctx.layout.config_path)
    except UserError as exc:
        ctx.leave_out("the connection test", exc.sentence())
        return
    names = [c.name for c in doc.connectors]
    connector = ctx.options.token_connector or (names[0] if names else None)
    if connector is None:
        ctx.leave_out("the connection test", "the host has no connector")
        return
    token = ctx.options.token or remembered_token(connector)
    if not token:
        ctx.leave_out("the connection test", f"no token was given for connector '{connector}' (--token-env "
                      "VAR, or one remembered in the keyring); the token is never stored in a report")
        return
    ctx.known_values.append(token)
    if not doc.setting.port.strip().isdigit():
        ctx.leave_out("the connection test", "Configuration.xml has no valid <Setting><Port>")
        return
    ctx.progress("the connection test")
    target = ConnectionTarget(connector, token, "localhost", int(doc.setting.port),
                              expected_thumbprint=doc.setting.certificate or None,
                              known_connectors=tuple(names), timeout=5.0)
    result = run_connection_test(target)
    ctx.add_json("checks/connection.json", result.to_json(), f"the connection test of '{connector}' "
                 "(TLS and SCIM, as Entra calls it); the token is not in the report")
    ctx.facts["connection"] = {"connector": connector, "passed": result.passed}


def bridge(ctx: ReportContext) -> None:
    layout = ctx.layout
    if not ctx.options.with_bridge:
        ctx.leave_out("the connector DLLs' pages", "they were not asked for (--no-bridge)")
        return
    if layout.ecma_dir is None or layout.root is None:
        ctx.leave_out("the connector DLLs' pages", "only a Configuration.xml was named (give --host-dir)")
        return
    dlls = [p for p in layout.connector_dlls() if p.name.lower() != locate.INTERFACE_DLL.lower()]
    # log4net, NLog, a connector's helper... lie beside the connectors: they are no connector to ask
    dependencies = [p.name for p in dlls if is_dependency(p)]
    dlls = [p for p in dlls if p.name not in dependencies]
    configured = _configured_libraries(ctx)
    dlls.sort(key=lambda p: (p.stem.lower() not in configured, p.name.lower()))  # the ones in use first
    if len(dlls) > MAX_DLLS:
        for extra in dlls[MAX_DLLS:]:
            ctx.leave_out(f"the pages of {extra.name}", f"only {MAX_DLLS} DLLs are asked, those the connectors "
                          "name first (each one starts a process)")
        dlls = dlls[:MAX_DLLS]
    interface = layout.ecma_dir / locate.INTERFACE_DLL
    interface = interface if interface.is_file() else layout.root / "Service" / locate.INTERFACE_DLL
    enums: dict[str, Any] = {}
    for dll in dlls:
        if ctx.cancelled():
            return
        ctx.progress(f"asking {dll.name} for its pages")
        data, why = ask_pages(ctx, dll, enums)
        if data is None and why == DEPENDENCY_REASON:
            dependencies.append(dll.name)
        elif data is None:
            ctx.leave_out(f"the pages of {dll.name}", why)
        else:
            ctx.add_json(f"connectors/{dll.stem}.json", data, f"{dll.name}: its interfaces and page "
                         "definitions as the DLL gives them (no value of the host was passed)")
    if dependencies:
        ctx.facts["dependency_dlls"] = sorted(dependencies, key=str.lower)
    if interface.is_file():
        facts = read_dll(interface, require_pe=False)
        ctx.add_json("connectors/interface-dll.json", {"path": interface.relative_to(layout.root).as_posix(),
                                                       "size": facts.size, "sha256": facts.sha256,
                                                       "file_version": facts.file_version, "enums": enums or None},
                     f"{locate.INTERFACE_DLL}: the host's own copy, its size, SHA-256, file version and enums")
    if not enums:
        ctx.leave_out(f"the enum values of {locate.INTERFACE_DLL}", "no connector DLL could be loaded with it "
                      "through the bridge" if interface.is_file() else "the host folder has no such DLL")


def _configured_libraries(ctx: ReportContext) -> set[str]:
    try:
        doc = ConfigDocument.load(ctx.layout.config_path)
    except UserError:
        return set()
    return {(c.library_name or "").lower().removesuffix(".dll") for c in doc.connectors}


def ask_pages(ctx: ReportContext, dll: Path, enums: dict[str, Any]) -> tuple[dict[str, Any] | None, str]:
    with dll.open("rb") as fh:
        if fh.read(2) != b"MZ":
            return None, "it is not a Windows DLL (it does not start with 'MZ'), so the bridge cannot load it"
    try:
        library = locate.configured(dll.name, ctx.layout)
    except UserError as exc:
        return None, exc.sentence()
    session = ConnectorSession(library, timeout=ctx.options.bridge_timeout)
    pages: list[dict[str, Any]] = []
    out: dict[str, Any] = {"library": library.library_name, "pages": pages}
    try:
        for page in PAGES_IN_ORDER:
            try:
                if page == "Schema":
                    answers = session.ask_schema_pages()
                else:
                    answers = [session.ask_page(page)]
                    if page == "Capabilities":
                        out["capabilities"] = session.ask_capabilities()
            except BridgeError as exc:
                pages.append({"page": page, "error": exc.sentence()})
                if exc.kind in _STOPPING:
                    if exc.dotnet_type == "NoConnectorClass":  # loaded: no class implements the interfaces
                        return None, DEPENDENCY_REASON
                    if not pages[:-1]:
                        return None, exc.sentence()
                    break
                continue
            for answer in answers:
                pages.append({"page": answer.page, "number": answer.number,
                              "parameters": [d.to_dict() for d in answer.parameters]})
        info = session.process.info
        out["type"], out["implements"] = info.get("type"), info.get("implements", [])
        out["interface_version"] = info.get("interface_version")
        if not enums and session.process.running:  # the interface DLL is the same for every connector
            try:
                enums.update(session.process.call("interface_enums", call="listing the interface DLL's enums"))
            except BridgeError:
                pass
    finally:
        session.close()
    return out, ""
