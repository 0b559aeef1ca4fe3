"""Make a host report: gather every part, then one zip in memory (the GUI lists its members and
sizes before anything is written), then write it atomically.

Every member goes through the same two filters on its way into the zip: known secret values
(plain-text secrets found in the host's files, the connection-test token) are removed, then
--redact names are replaced. Nothing on the host is changed and no service is touched: the
commands run are read-only ones (app/report/recorder.py refuses others).
"""

from __future__ import annotations

import hashlib
import io
import json
import socket
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from app import __version__
from app.errors import UserError
from app.filestore import atomic_write
from app.report import agent_parts, checks, host_parts, windows_parts
from app.report.context import ReportContext, ReportOptions
from app.report.recorder import Recorded, Recorder
from app.report.redact import Redactor
from app.report.sanitize import Scrubber
from app.report.summary import summary_text

FORMAT = "ecma-wizard-host-report"
VERSION = 1
MANIFEST = "manifest.json"
SUMMARY = "summary.md"


@dataclass
class BuiltReport:
    data: bytes
    manifest: dict[str, Any]
    members: list[tuple[str, int]] = field(default_factory=list)  # (name, unpacked size), zip order

    @property
    def size(self) -> int:
        return len(self.data)


def gather(options: ReportOptions, progress: Callable[[str], None] | None = None,
           cancelled: Callable[[], bool] | None = None) -> ReportContext:
    if not 1 <= options.days <= 3650:
        raise UserError("--days must be a whole number of days from 1 to 3650.")
    short = [n for n in options.redact if len(n.strip()) < 3]
    if short:  # "a" or "1" would rewrite half of every file
        raise UserError(f"--redact '{short[0]}' is too short to replace safely; give names of 3 characters or more.")
    ctx = ReportContext(options, options.recorder or Recorder(), progress or (lambda _t: None),
                        cancelled or (lambda: False))
    steps = [host_parts.configuration_files, host_parts.verbose_sql, host_parts.ecma_tree, windows_parts.gather,
             agent_parts.gather, checks.doctor,
             checks.connection, checks.bridge]
    if not ctx.on_windows:
        steps.append(host_parts.event_file)
    for step in steps:
        if ctx.cancelled():
            raise UserError("the host report was cancelled; nothing was written.")
        step(ctx)
    raw_outputs(ctx)
    return ctx


def raw_outputs(ctx: ReportContext) -> None:
    for c in ctx.recorder.commands:
        base = f"raw/{c.number:02d}-{c.tool}"
        shown = " ".join(a for a in c.argv[:3] if not a.startswith("-"))
        ctx.add(f"{base}.txt", raw_text(c).encode("utf-8"), f"`{shown}`: command line, exit code, output; "
                f"what was parsed is in `{base}.parsed.json`" if c.error == "" else f"`{shown}`: could not run")
        ctx.add_json(f"{base}.parsed.json", {"tool": c.tool, "parsed": c.parsed, "note": c.parse_note or c.error},
                     "what was parsed from the output beside it")


def raw_text(c: Recorded) -> str:
    """One command: its command line, exit code, stdout and stderr, as a person reads it."""
    head = [f"# command: {json.dumps(c.argv, ensure_ascii=False)}", f"# tool: {c.tool}",
            f"# exit code: {c.returncode}" if c.error == "" else f"# could not run: {c.error}",
            f"# seconds: {c.seconds:.2f}", "# --- stdout ---"]
    return "\n".join(head) + "\n" + c.stdout + ("\n# --- stderr ---\n" + c.stderr if c.stderr else "")


def make_zip(ctx: ReportContext) -> BuiltReport:
    """The report as zip bytes; every member cleaned of known secrets, then redacted."""
    scrub, redact = Scrubber(ctx.known_values), Redactor(ctx.options.redact)

    def clean(data: bytes) -> bytes:
        text = data.decode("utf-8", "surrogateescape")
        return redact(scrub(text)).encode("utf-8", "surrogateescape")

    files: dict[str, dict[str, Any]] = {}
    members: list[tuple[str, int]] = []
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as z:
        def put(name: str, data: bytes) -> None:
            name = redact(name)
            z.writestr(name, data)
            files[name] = {"size": len(data), "sha256": hashlib.sha256(data).hexdigest()}
            members.append((name, len(data)))

        for name, data in ctx.members.items():
            put(name, clean(data))
        if ctx.events is not None:
            head, tail = b"<Events>\r\n", b"</Events>\r\n"
            digest, size = hashlib.sha256(head), len(head) + len(tail)
            with z.open(host_parts.EVENTS, "w", force_zip64=True) as out:
                out.write(head)
                for chunk in ctx.events():
                    chunk = clean(chunk)
                    digest.update(chunk)
                    size += len(chunk)
                    out.write(chunk)
                out.write(tail)
            digest.update(tail)
            files[host_parts.EVENTS] = {"size": size, "sha256": digest.hexdigest()}
            members.append((host_parts.EVENTS, size))
            ctx.what[host_parts.EVENTS] = ctx.events_what
        manifest = {
            "format": FORMAT, "version": VERSION, "tool": f"ecma-wizard {__version__}",
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "platform": ctx.options.platform, "days": ctx.options.days,
            "machine": redact(socket.gethostname()),  # getfqdn can wait on DNS
            "host": redact(scrub(str(ctx.layout.root or ctx.layout.config_path))),
            "sample_host": ctx.layout.is_sample,
            "redacted": redact.describe(), "facts": json.loads(clean(json.dumps(ctx.facts, default=str).encode())),
            "commands": len(ctx.recorder.commands),
            "left_out": [{"what": redact(w), "why": redact(scrub(y))} for w, y in ctx.left_out],
            "files": files,
        }
        summary = clean(summary_text(ctx, manifest, members).encode("utf-8"))
        put(SUMMARY, summary)
        data = json.dumps(manifest, indent=2, ensure_ascii=False).encode("utf-8")
        z.writestr(MANIFEST, data)
        members.append((MANIFEST, len(data)))
    return BuiltReport(buf.getvalue(), manifest, members)


def build_report(options: ReportOptions, progress: Callable[[str], None] | None = None,
                 cancelled: Callable[[], bool] | None = None) -> BuiltReport:
    ctx = gather(options, progress, cancelled)
    if progress:
        progress("packing the report")
    return make_zip(ctx)


def write_report(path: str | Path, report: BuiltReport) -> Path:
    path = Path(path)
    if path.is_dir():
        raise UserError("is a folder; name the report's .zip file", path=path)
    if not path.parent.is_dir():
        raise UserError("cannot be written: its folder does not exist", path=path)
    atomic_write(path, report.data, mode=0o600)
    return path
