"""XML dumps as `wevtutil qe ECMA2Host /f:xml` (or `/f:RenderedXml`) writes them.

wevtutil writes a bare sequence of `<Event>` elements with no root; people also wrap them in one
(`<Events>`). The file is read in blocks and cut at `<Event>`/`</Event>`, so a 700 MB dump never
sits in memory; each event's columns come from `eventxml.columns_from` and its raw XML is read back
from its byte offset when the details pane asks. Events the patterns cannot read go through lxml
(no entities, no DTD, no network); ones lxml also refuses are skipped and counted. A DTD or an
entity declaration anywhere is refused: wevtutil never writes one.
"""

from __future__ import annotations

import codecs
import io
import os
import re
from collections.abc import Generator, Iterator
from pathlib import Path

from lxml import etree

from app.errors import UserError
from app.events.eventxml import columns_from, columns_from_tree, parse_event, safe_parser
from app.events.records import EventTable
from app.events.sources.base import Batch, Cancel, EventSource, check_readable

BLOCK = 8 << 20
FIRST_BLOCK = 256 << 10  # the first rows are on screen before the first big block is read
BATCH_ROWS = 20000
PARALLEL_FROM = 24 << 20  # below this, starting worker processes costs more than it saves
STRICT_CHECK_UPTO = 8 << 20  # small files are also checked whole by lxml, for a line and column
_START = re.compile(rb"<Event[\s>]")
_END = b"</Event>"
_FORBIDDEN = (b"<!DOCTYPE", b"<!ENTITY")
MAX_EVENT = 16 << 20  # one event is a few KB (a long stack trace: some hundreds); more is not a log


def _too_long(at: int, path: str | Path | None) -> UserError:
    return UserError(f"has an <Event> near byte {at} longer than {MAX_EVENT >> 20} MB; event dumps "
                     "hold events of a few KB, so it is refused.", path=path)


def scan_events(data: bytes, base: int, table: EventTable,
                path: str | Path | None = None) -> tuple[int, int, str | None]:
    """Read every complete event in `data` into `table`: (bytes used, events lost, first error)."""
    pos, consumed, lost, error = 0, 0, 0, None
    find_start, find_end = _START.search, data.find
    while True:
        start = find_start(data, pos)
        if start is None:  # keep a tail that could be the start of a cut '<Event '
            return max(consumed, len(data) - len(b"<Event")), lost, error
        s = start.start()
        e = find_end(_END, s)
        if e < 0:
            if len(data) - s > MAX_EVENT:
                raise _too_long(base + s, path)
            return s, lost, error
        if e - s > MAX_EVENT:
            raise _too_long(base + s, path)
        e += len(_END)
        text = data[s:e].decode("utf-8", "replace")
        cols = columns_from(text)
        if cols.provider is None and cols.event_id is None and cols.record_id is None:
            root = parse_event(text, recover=False)  # the slow path, for what the patterns miss
            parsed = columns_from_tree(root) if root is not None else None
            if parsed is None:
                lost += 1
                error = error or f"the event at byte {base + s} is not well-formed XML"
                pos = consumed = e
                continue
            cols = parsed
        table.append(cols.time, cols.level, cols.provider, cols.event_id, cols.qualifiers,
                     cols.record_id, cols.computer, cols.channel, cols.message, base + s)
        pos = consumed = e


def scan_range(path: str, start: int, end: int) -> tuple[EventTable, int, str | None, bool]:
    """Worker task: bytes [start, end), cut at event starts -> (table, lost, error, tail cut?)."""
    table = EventTable()
    if end - start > BLOCK + MAX_EVENT:  # cuts are a BLOCK apart at event starts: a huge event
        raise _too_long(start, path)    # inside; refuse before reading it into memory
    with open(path, "rb") as fh:
        fh.seek(start)
        data = fh.read(end - start)
    for marker in _FORBIDDEN:
        pos = data.find(marker)
        if pos >= 0:
            raise UserError(f"contains a DTD or entity declaration ({marker.decode()}) near byte "
                            f"{start + pos}; event dumps never have one, so it is refused.", path=path)
    used, lost, error = scan_events(data, start, table, path)
    return table, lost, error, bool(_START.search(data, used))


def event_boundaries(path: Path, first: int, size: int, step: int) -> list[int]:
    """Offsets from `first` about `step` apart, each at the start of an <Event>, ending at `size`."""
    cuts = [first]
    with path.open("rb") as fh:
        offset = first + step
        while offset < size:
            fh.seek(offset)
            window = fh.read(1 << 20)
            found = _START.search(window)
            if found is None:
                offset += len(window) - len(b"<Event") if len(window) > 8 else step
                continue
            cuts.append(offset + found.start())
            offset = cuts[-1] + step
    cuts.append(size)
    return cuts


class XmlDumpSource(EventSource):
    can_follow = True

    def __init__(self, path: str | Path, *, workers: int | None = None) -> None:
        super().__init__()
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.path = Path(path)
        self.name = self.path.name
        check_readable(self.path)
        self._memory: bytes | None = None  # UTF-16 files, transcoded to UTF-8 once
        self._end = 0  # offset just past the last complete event read (follow mode)
        self._first_error: str | None = None

    @staticmethod
    def looks_like_xml(head: bytes) -> bool:
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
            return True
        return head.removeprefix(codecs.BOM_UTF8).lstrip().startswith(b"<")

    # --- reading -------------------------------------------------------------------------------

    def _open(self) -> io.BufferedIOBase:
        if self._memory is not None:
            return io.BytesIO(self._memory)
        with self.path.open("rb") as fh:
            head = fh.read(4)
        if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or head[1:2] == b"\x00":
            # PowerShell 5.1's `>` writes UTF-16; such dumps are small enough to transcode whole
            raw = self.path.read_bytes()
            try:
                text = raw.decode("utf-16")
            except UnicodeDecodeError as exc:
                raise UserError("looks like UTF-16 but does not decode as UTF-16.", path=self.path) from exc
            self._memory = text.encode("utf-8")
            return io.BytesIO(self._memory)
        return self.path.open("rb")

    def _refuse_dtd(self, block: bytes, base: int) -> None:
        for marker in _FORBIDDEN:
            pos = block.find(marker)
            if pos >= 0:
                raise UserError(f"contains a DTD or entity declaration ({marker.decode()}) near byte "
                                f"{base + pos}; event dumps never have one, so it is refused.",
                                path=self.path)

    def _scan(self, data: bytes, base: int, table: EventTable) -> int:
        used, lost, error = scan_events(data, base, table, self.path)
        self.report.records_lost += lost
        if error and self._first_error is None:
            self._first_error = error
        return used

    def _strict_check(self) -> str | None:
        """Whole-document well-formedness for small files: the line and column of the first error."""
        fh = self._open()
        with fh:
            data = fh.read(STRICT_CHECK_UPTO + 1)
        if len(data) > STRICT_CHECK_UPTO:
            return None
        data = data.removeprefix(codecs.BOM_UTF8)
        decl = b""
        if data.lstrip().startswith(b"<?xml"):
            end = data.find(b"?>") + 2
            decl, data = data[:end], data[end:]
        parser = safe_parser()
        try:
            parser.feed(decl + b"<wrapper>" + data + b"</wrapper>")
            parser.close()
        except etree.XMLSyntaxError as exc:
            line, column = exc.position
            message = str(exc.msg).split(", line ")[0].rstrip(".")
            message = (message.strip().splitlines() or ["?"])[0][:160]  # libxml2 quotes text
            if "wrapper" in message:  # our own wrapping root: the document stops mid-element
                message = "the file ends inside an element"
            return f"line {line}, column {column}: {message}"
        return None

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        self.report.warnings.clear()
        self.report.records_lost = 0
        self._first_error = None
        fh = self._open()
        total = len(self._memory) if self._memory is not None else self.path.stat().st_size
        base, carry, rows = 0, b"", 0
        table = EventTable()
        size = FIRST_BLOCK
        with fh:
            while True:
                block = fh.read(size)
                data = carry + block
                self._refuse_dtd(data, base)
                used = self._scan(data, base, table)
                carry, base = data[used:], base + used
                if len(table) >= BATCH_ROWS or not block or size == FIRST_BLOCK:
                    first_block = size == FIRST_BLOCK
                    size = BLOCK
                    rows += len(table)
                    yield Batch(table, base, total)
                    table = EventTable()
                    if cancel and cancel():
                        self.report.cancelled = True
                        return
                    if first_block and self._parallel_ok(total - base):
                        carry = yield from self._parallel(base, total, cancel)
                        if self.report.cancelled:
                            return
                        rows += 1  # the workers' rows are counted in their batches
                        base = total
                        break
                if not block:
                    break
                if len(carry) > 64 * BLOCK:
                    raise UserError(f"has an <Event> near byte {base} that never ends.", path=self.path)
        self._end = base
        self._conclude(rows, carry)

    def _parallel_ok(self, remaining: int) -> bool:
        return self._memory is None and self.workers > 1 and remaining >= PARALLEL_FROM

    def _parallel(self, start: int, total: int,
                  cancel: Cancel | None) -> Generator[Batch, None, bytes]:
        """The rest of the file in worker processes (both cores); the GUI thread stays free."""
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        cuts = event_boundaries(self.path, start, total, BLOCK)
        ranges = list(zip(cuts, cuts[1:], strict=False))
        tail_cut = False
        # spawn, not fork: the GUI process has threads, and Windows can only spawn anyway
        with ProcessPoolExecutor(self.workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            futures = [pool.submit(scan_range, str(self.path), a, b) for a, b in ranges]
            for (start, end), future in zip(ranges, futures, strict=True):
                if cancel and cancel():
                    self.report.cancelled = True
                    pool.shutdown(wait=False, cancel_futures=True)  # Cancel is quick
                    return b""
                try:
                    table, lost, error, tail_cut = future.result()
                except BrokenProcessPool:  # no usable workers (frozen without freeze_support...)
                    table, lost, error, tail_cut = scan_range(str(self.path), start, end)
                self.report.records_lost += lost
                if error and self._first_error is None:
                    self._first_error = error
                try:
                    yield Batch(table, end, total)
                except GeneratorExit:  # the reader stopped early: drop the queued work at once
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise
        return b"<Event" if tail_cut else b""

    def _conclude(self, rows: int, carry: bytes) -> None:
        strict = self._strict_check()
        if rows == 0:
            if strict:
                raise UserError(f"is not well-formed XML ({strict}).", path=self.path)
            if self._first_error:
                raise UserError(f"has no readable events: {self._first_error}.", path=self.path)
            raise UserError("holds no <Event> elements: it is not an event log dump.", path=self.path)
        if _START.search(carry):
            self.report.warnings.append(f"{self.path}: the file ends inside an event (near byte "
                                        f"{self._end}); that event was skipped.")
            self.report.records_lost += 1
        if self._first_error:
            self.report.warnings.append(f"{self.path}: {self.report.records_lost} event(s) skipped; "
                                        f"{self._first_error}.")
        elif strict and not _START.search(carry):
            self.report.warnings.append(f"{self.path}: not well-formed XML ({strict}); the readable "
                                        "events were kept.")

    # --- on demand / follow --------------------------------------------------------------------

    def raw_xml(self, locator: int, row: int) -> str | None:
        if locator < 0:
            return None
        fh = self._open()
        with fh:
            fh.seek(locator)
            data = b""
            while True:
                block = fh.read(65536)
                data += block
                end = data.find(_END)
                if end >= 0:
                    return data[:end + len(_END)].decode("utf-8", "replace")
                if not block:
                    return data.decode("utf-8", "replace") or None

    def read_new(self) -> EventTable:
        table = EventTable()
        if self._memory is not None:
            return table  # UTF-16 dumps are written once, never appended to
        with self.path.open("rb") as fh:
            fh.seek(self._end)
            data = fh.read()
        if data:
            self._refuse_dtd(data, self._end)
            self._end += self._scan(data, self._end, table)
        return table

