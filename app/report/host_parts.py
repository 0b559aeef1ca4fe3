"""The parts of a report read from the host's folder (any machine): the configuration files with
secrets replaced, the Service\\ECMA tree, the executables' file versions and the event log file."""

from __future__ import annotations

import io
import mmap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from app.config.xmltext import read_file
from app.errors import UserError
from app.events.knowledge import diagnose
from app.events.records import NO_TIME, EventTable, format_utc, level_name
from app.events.sources.xml_dump import XmlDumpSource
from app.host.dlls import file_version, is_dependency, read_dll
from app.host.layout import SERVICE_CONFIG, WIZARD_CONFIG
from app.report import sanitize
from app.report.context import ReportContext

CONFIGURATION = "host/Configuration.xml"
SERVICE_FILE = f"host/{SERVICE_CONFIG}"
WIZARD_FILE = f"host/{WIZARD_CONFIG}"
EVENTS = "events/ECMA2Host.xml"
EVENTS_SUMMARY = "events/summary.json"
EXECUTABLES = (("service", "Service/Microsoft.ECMA2Host.Service.exe"),
               ("wizard", "Wizard/Microsoft.ECMA2Host.ConfigWizard.exe"))
TICKS_PER_DAY = 864_000_000_000
MAX_TREE = 5000  # files listed from Service\ECMA; a host has dozens


def configuration_files(ctx: ReportContext) -> None:
    layout = ctx.layout
    secrets: list[dict[str, Any]] = []
    try:
        done = sanitize.configuration(read_file(layout.config_path), str(layout.config_path))
    except UserError as exc:  # never include what we could not clean
        ctx.leave_out("Configuration.xml", f"it could not be read, so its secrets could not be removed "
                      f"({exc.sentence()})")
    else:
        ctx.add(CONFIGURATION, done.data, "Configuration.xml, every secret replaced by its structure")
        secrets += done.secrets
        ctx.known_values += done.known_values
    for name, path in ((SERVICE_FILE, layout.service_config_path), (WIZARD_FILE, layout.wizard_config_path)):
        label = name.split("/", 1)[1]
        if path is None or not path.exists():
            ctx.leave_out(label, "the host folder has no such file" if path else "only a Configuration.xml was named")
            continue
        try:
            cleaned = sanitize.app_config(read_file(path), str(path))
        except UserError as exc:
            ctx.leave_out(label, f"it could not be read, so its secrets could not be removed ({exc.sentence()})")
            continue
        ctx.add(name, cleaned.data, f"{label}, secret settings replaced by their structure")
        secrets += cleaned.secrets
        ctx.known_values += cleaned.known_values
    ctx.add_json("host/secrets.json", secrets, "each secret's place and state (empty / plain / encrypted "
                 "with class, library, members and lengths / unreadable); no value")
    ctx.facts["secrets"] = {state: sum(1 for s in secrets if s.get("state") == state)
                            for state in {s.get("state") for s in secrets}}


def verbose_sql(ctx: ReportContext) -> None:
    """Generic SQL writes its whole connection string to the event log at Verbose (Microsoft's
    troubleshooting page for the ECMA Connector Host): a fact for the summary when both meet."""
    from app.config.document import ConfigDocument
    from app.host.appconfig import AppConfig

    path = ctx.layout.service_config_path
    if path is None or not path.exists():
        return
    try:
        config, doc = AppConfig.load(path), ConfigDocument.load(ctx.layout.config_path)
    except UserError:
        return  # configuration_files already said why it could not be read
    verbose = [s for s in config.sources if (config.switch_value(s) or "").strip().lower() == "verbose"]
    sql = [c.name for c in doc.connectors if "genericsql" in (c.library_name or "").lower()]
    if verbose and sql:
        ctx.facts["verbose_sql"] = {"sources": verbose, "connectors": sql}


def ecma_tree(ctx: ReportContext) -> None:
    layout = ctx.layout
    if layout.root is None:
        ctx.leave_out("the Service\\ECMA folder", "only a Configuration.xml was named (give --host-dir)")
        return
    versions = {}
    for role, rel in EXECUTABLES:
        exe = layout.root / rel
        versions[role] = _exe_version(exe) if exe.is_file() else None
    ctx.facts["file_versions"] = versions
    ecma = layout.ecma_dir
    if ecma is None or not ecma.is_dir():
        ctx.leave_out("the Service\\ECMA folder", "the host folder has none")
        return
    dlls: list[dict[str, Any]] = []
    files: list[dict[str, Any]] = []
    for path in sorted(ecma.rglob("*"))[:MAX_TREE]:
        if path.is_symlink() or not path.is_file():
            continue
        rel = path.relative_to(layout.root).as_posix()
        if path.suffix.lower() == ".dll":
            try:
                facts = read_dll(path, require_pe=False)
            except UserError as exc:
                dlls.append({"path": rel, "error": exc.sentence()})
                continue
            dlls.append({"path": rel, "size": facts.size, "sha256": facts.sha256,
                         "file_version": facts.file_version, "is_pe": _is_pe(path),
                         # log4net and the like beside the connectors (docs/connector-dll.md)
                         "dependency": is_dependency(path)})
        else:
            files.append({"path": rel, "size": path.stat().st_size})
    ctx.add_json("host/ecma-tree.json", {"dlls": dlls, "other_files": files},
                 "Service\\ECMA: every DLL (cache copies too) with size, SHA-256, file version and whether it "
                 "is a dependency; other files by size")
    ctx.facts["dlls"] = len(dlls)


def _exe_version(path: Path) -> str | None:
    try:
        with path.open("rb") as fh:
            return file_version(fh.read(64 << 20))
    except OSError:
        return None


def _is_pe(path: Path) -> bool:
    with path.open("rb") as fh:
        return fh.read(2) == b"MZ"


# -- the event log from a file (off Windows: the Logs folder of a host copy) ---------------------------
def event_file(ctx: ReportContext) -> None:
    logs = ctx.layout.logs_dir
    path = logs / "ECMA2Host.xml" if logs else None
    if path is None or not path.is_file():
        ctx.leave_out("the ECMA2Host event log", f"{ctx.not_here()}, and the host folder has no "
                      "Logs\\ECMA2Host.xml dump")
        return
    source = XmlDumpSource(path)
    try:
        table = source.load(cancel=ctx.cancelled)
    except UserError as exc:
        ctx.leave_out("the ECMA2Host event log", exc.sentence())
        return
    times = [t for t in table.times if t != NO_TIME]
    if not times:
        ctx.leave_out("the ECMA2Host event log", f"{path.name} holds no event")
        return
    cutoff = max(times) - ctx.options.days * TICKS_PER_DAY
    rows = [r for r in range(len(table)) if table.times[r] >= cutoff]
    summarize_events(ctx, table, rows, f"{path.name} in the host folder; the last {ctx.options.days} "
                     "day(s) counted back from its newest event")

    def stream() -> Iterator[bytes]:
        fh = source._open()  # the one way to read UTF-16 dumps transcoded
        with fh:
            data = fh.getvalue() if isinstance(fh, io.BytesIO) else mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ)
            try:
                for r in rows:
                    start = table.locators[r]
                    end = data.find(b"</Event>", start)
                    yield bytes(data[start:end + 8 if end >= 0 else len(data)]) + b"\r\n"
            finally:
                if isinstance(data, mmap.mmap):
                    data.close()

    ctx.events = stream
    ctx.events_what = f"the ECMA2Host log, last {ctx.options.days} day(s), as XML ({len(rows):,} events)"


def summarize_events(ctx: ReportContext, table: EventTable, rows: list[int], origin: str) -> None:
    levels: dict[str, int] = {}
    known: dict[str, int] = {}
    messages: dict[str, list[Any]] = {}
    for r in rows:
        level = level_name(table.levels[r])
        levels[level] = levels.get(level, 0) + 1
        if table.levels[r] in (1, 2, 3):
            message = str(table.messages[r] or "")
            diagnosis = diagnose(message)
            if diagnosis:
                known[diagnosis.title] = known.get(diagnosis.title, 0) + 1
            key = message[:300]
            messages.setdefault(key, [0, level])[0] += 1
    times = [table.times[r] for r in rows if table.times[r] != NO_TIME]
    top = sorted(messages.items(), key=lambda kv: -kv[1][0])[:20]
    summary = {"origin": origin, "days": ctx.options.days, "events": len(rows), "levels": levels,
               "first": format_utc(min(times)) if times else None,
               "last": format_utc(max(times)) if times else None,
               "known_errors": known,
               "top_problems": [{"message": m, "count": c, "level": lv} for m, (c, lv) in top]}
    ctx.add_json(EVENTS_SUMMARY, summary, "events by level, known errors recognised, the most frequent "
                 "errors and warnings")
    ctx.facts["events"] = {k: summary[k] for k in ("events", "levels", "first", "last", "known_errors")}
