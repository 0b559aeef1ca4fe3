"""Open a host report: untrusted input, read in memory and never run.

The zip obeys the rules of bundles (app/safezip.py `check_entries`: no extraction, no
path that escapes, no link, no zip encryption, bomb and size limits), with limits sized for a
report (its event log may be large). Every member read is checked against its SHA-256 in the
manifest. Nothing in a report is executed and no DLL named in it is loaded: the connector pages
it shows are the JSON the bridge wrote on the host.
"""

from __future__ import annotations

import hashlib
import io
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.config.document import ConfigDocument
from app.errors import UserError
from app.events.records import EventTable
from app.events.sources.base import Batch, Cancel, EventSource
from app.events.sources.xml_dump import scan_events
from app.report.build import FORMAT, MANIFEST, SUMMARY, VERSION
from app.report.host_parts import CONFIGURATION, EVENTS
from app.safezip import check_entries, load_json, open_zip, read_entry

MAX_REPORT = 256 << 20  # the zip itself
MAX_ENTRIES = 2000
MAX_MEMBER = 16 << 20  # any member but the event log
MAX_EVENTS = 512 << 20  # the event log member, unpacked
MAX_TOTAL = 768 << 20
MAX_RATIO = 400  # event XML is very repetitive; real reports stay far below


@dataclass
class HostReport:
    source: str
    manifest: dict[str, Any]
    names: dict[str, zipfile.ZipInfo] = field(default_factory=dict, repr=False)
    _zip: zipfile.ZipFile | None = field(default=None, repr=False)

    # -- members -----------------------------------------------------------------------------
    def has(self, name: str) -> bool:
        return name in self.names and name in self.manifest["files"]

    def member(self, name: str) -> bytes:
        """A member's bytes, checked against the manifest; UserError when absent or altered."""
        if not self.has(name):
            raise UserError(f"has no {name}", path=self.source)
        assert self._zip is not None
        limit = MAX_EVENTS if name == EVENTS else MAX_MEMBER
        data = read_entry(self._zip, self.names[name], self.source, limit, what="host report")
        if hashlib.sha256(data).hexdigest() != self.manifest["files"][name]["sha256"]:
            raise UserError(f"is damaged: {name} does not match its checksum in the manifest", path=self.source)
        return data

    def text(self, name: str) -> str:
        return self.member(name).decode("utf-8", "replace")

    def json(self, name: str, default: Any = None) -> Any:
        """A JSON member, or `default` when the report has none."""
        if not self.has(name):
            return default
        return load_json(self.member(name), self.source, name)

    def files(self) -> list[tuple[str, int]]:
        return [(n, int(m.get("size", 0))) for n, m in self.manifest["files"].items()]

    # -- what the viewer shows -----------------------------------------------------------------
    @property
    def summary(self) -> str:
        return self.text(SUMMARY) if self.has(SUMMARY) else ""

    def configuration(self) -> ConfigDocument | None:
        if not self.has(CONFIGURATION):
            return None
        return ConfigDocument.from_bytes(self.member(CONFIGURATION), f"{self.source}!{CONFIGURATION}")

    def doctor_checks(self) -> list[dict[str, Any]]:
        data = self.json("checks/doctor.json", {})
        checks = data.get("checks", []) if isinstance(data, dict) else []
        return [c for c in checks if isinstance(c, dict)]

    def connector_pages(self) -> dict[str, dict[str, Any]]:
        out = {}
        for name in self.names:
            if name.startswith("connectors/") and name.endswith(".json") and name != "connectors/interface-dll.json":
                data = self.json(name, {})
                if isinstance(data, dict):
                    out[name[len("connectors/"):-5]] = data
        return out

    def dlls(self) -> dict[str, str] | None:
        tree = self.json("host/ecma-tree.json")
        if not isinstance(tree, dict):
            return None
        return {str(d.get("path")): str(d.get("sha256")) for d in tree.get("dlls", [])
                if isinstance(d, dict) and d.get("sha256")}

    def events(self) -> EventTable:
        """The event log member as a table; each row's XML is read back from memory."""
        table = EventTable()
        if not self.has(EVENTS):
            return table
        data = self.member(EVENTS)
        scan_events(data, 0, table, path=f"{self.source}!{EVENTS}")

        def reader(locator: int, row: int) -> str | None:
            end = data.find(b"</Event>", locator)
            return data[locator:end + 8].decode("utf-8", "replace") if locator >= 0 and end >= 0 else None

        table.xml_reader = reader
        return table

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


def read_zip_file(path: str | Path) -> bytes:
    """A report (or bundle) file's bytes, refused above the size a report can have."""
    p = Path(path)
    try:
        size = p.stat().st_size
        if size > MAX_REPORT:
            raise UserError(f"is {size:,} bytes; a host report is far smaller. Refused", path=p)
        return p.read_bytes()
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc})", path=p) from None


def is_report(data: bytes) -> bool:
    """True when a zip's manifest says it is a host report (anything else is left to others)."""
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            info = z.getinfo(MANIFEST)
            if info.file_size > MAX_MEMBER:
                return False
            return FORMAT.encode() in z.read(info)[:4096]
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, RuntimeError, NotImplementedError,
            EOFError, zlib.error):
        return False


def read_report(data: bytes, source: str) -> HostReport:
    if len(data) > MAX_REPORT:
        raise UserError(f"is {len(data):,} bytes; a host report is far smaller. Refused", path=source)
    z = open_zip(data, source)
    try:
        names = check_entries(z, source, what="host report", max_entries=MAX_ENTRIES,
                                max_total=MAX_TOTAL, max_ratio=MAX_RATIO)
        if MANIFEST not in names:
            raise UserError(f"has no {MANIFEST}; it is not a host report", path=source)
        manifest = load_json(read_entry(z, names[MANIFEST], source, MAX_MEMBER, what="host report"),
                             source, MANIFEST)
        _check_manifest(manifest, source)
        for name in manifest["files"]:
            if name not in names:
                raise UserError(f"lacks {name}, which its manifest lists; the report is incomplete", path=source)
            if names[name].file_size > (MAX_EVENTS if name == EVENTS else MAX_MEMBER):
                raise UserError(f"has an entry '{name}' larger than a host report holds; refused", path=source)
    except UserError:
        z.close()
        raise
    return HostReport(source, manifest, names, z)


def _check_manifest(manifest: Any, source: str) -> None:
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise UserError(f"has a {MANIFEST} of another kind; it is not an ecma-wizard host report", path=source)
    version = manifest.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise UserError(f"has a {MANIFEST} whose version is not a number; the report is damaged", path=source)
    if version > VERSION:
        raise UserError(f"was made by a newer ecma-wizard (report version {version}); update this program",
                        path=source)
    files = manifest.get("files")
    if not isinstance(files, dict) or not all(
            isinstance(n, str) and isinstance(m, dict) and isinstance(m.get("sha256"), str) for n, m in files.items()):
        raise UserError(f"has a {MANIFEST} with an unreadable file list; the report is damaged", path=source)
    for name, meta in files.items():  # the viewer lists each file with its size
        size = meta.get("size", 0)
        if not isinstance(size, int) or isinstance(size, bool) or size < 0:
            raise UserError(f"has a {MANIFEST} whose size for '{name}' is not a number of bytes; the "
                            "report is damaged", path=source)
    for key, kind in (("left_out", list), ("facts", dict), ("redacted", list)):
        if not isinstance(manifest.get(key, kind()), kind):
            raise UserError(f"has a {MANIFEST} with an unreadable '{key}'; the report is damaged", path=source)


class ReportEventSource(EventSource):
    """The report's event log for the event viewer: read from memory, once."""

    relative_to_now = False

    def __init__(self, report: HostReport) -> None:
        super().__init__()
        self.report_file = report
        self.name = f"{report.source} (event log, last {report.manifest.get('days', '?')} days)"
        self._table: EventTable | None = None

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        if self._table is None:
            self._table = self.report_file.events()
        yield Batch(self._table, len(self._table), len(self._table))

    def raw_xml(self, locator: int, row: int) -> str | None:
        if self._table is None or self._table.xml_reader is None:
            return None
        return self._table.xml_reader(locator, row)
