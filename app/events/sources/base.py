"""What every event source offers, and the one function that picks a source for a path."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from app.errors import UserError
from app.events.records import EventTable

Cancel = Callable[[], bool]


@dataclass
class Batch:
    """Rows read so far in one step of a load; `done`/`total` measure progress (bytes or rows)."""

    table: EventTable
    done: int
    total: int


@dataclass
class LoadReport:
    """What a load lost on the way: told to the user as warnings, never as a traceback."""

    warnings: list[str] = field(default_factory=list)
    records_lost: int = 0
    cancelled: bool = False


class EventSource:
    """A place events come from. Subclasses fill `batches`, `raw_xml` and, if they can, `read_new`."""

    name = "events"
    can_follow = False
    # "Last hour/day/week" count back from now for a live log, from the newest event for a file
    # (a file read a week later would otherwise show nothing)
    relative_to_now = False

    def __init__(self) -> None:
        self.report = LoadReport()

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        raise NotImplementedError

    def raw_xml(self, locator: int, row: int) -> str | None:
        return None

    def read_new(self) -> EventTable:
        """Rows that arrived since the last load or call (follow mode); empty when none."""
        return EventTable()

    def close(self) -> None:
        """Release files or handles; a closed source may be reopened by `batches`."""

    def load(self, cancel: Cancel | None = None,
             progress: Callable[[Batch], None] | None = None) -> EventTable:
        """Every row, in source order; the table reads raw XML back through this source."""
        table = EventTable()
        for batch in self.batches(cancel):
            table.extend(batch.table)
            if progress:
                progress(batch)
            if cancel and cancel():
                self.report.cancelled = True
                break
        table.xml_reader = self.raw_xml
        return table


def check_readable(path: Path) -> None:
    """A UserError sentence for the usual ways a path is not a readable file."""
    if not path.exists():
        raise UserError("no such file.", path=path)
    if path.is_dir():
        raise UserError("is a folder, not an event log file.", path=path)
    try:
        with path.open("rb") as fh:
            fh.read(1)
    except OSError as exc:
        raise UserError(f"cannot be read ({exc.strerror or exc}).", path=path) from exc


def open_source(path: str | Path) -> EventSource:
    """The right source for a file, judged by its first bytes, not by its name."""
    from app.events.sources.evtx_file import EVTX_MAGIC, EvtxFileSource
    from app.events.sources.xml_dump import XmlDumpSource
    from app.events.sources.zip_bundle import ZipBundleSource

    path = Path(path)
    check_readable(path)
    with path.open("rb") as fh:
        head = fh.read(4096)
    if not head:
        raise UserError("is empty: there are no events in it.", path=path)
    if head.startswith(EVTX_MAGIC):
        return EvtxFileSource(path)
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return ZipBundleSource(path)
    if XmlDumpSource.looks_like_xml(head):
        return XmlDumpSource(path)
    raise UserError("is not an event log: expected an .evtx file, an XML dump written by wevtutil "
                    "or a CollectTroubleshootingInfo zip.", path=path)
