""".evtx files, through the Rust `evtx` package (never python-evtx: it drops records from dirty
files and crashes on forwarded ones).

The file is read one 64 KiB chunk at a time, each chunk handed to the parser with the file header in
front. That gives what the parser's own iterator does not: a damaged chunk is skipped and its
records counted as lost (by their record signatures), rows can name their chunk so the raw XML is
re-read on demand instead of kept (columns come from the JSON rendering, the details pane
gets the XML one), a growing file can be followed, and big files are split over
worker processes (both cores) while the first chunks are parsed right here for the first rows.

Where a record's CPU time goes (tests/benchmarks/evtx_stages.py over the corpus chunks, fastest of
several passes, this round): the parser's JSON rendering of one chunk at a time 5.7-6.4 us (its
whole-file `records()`, the benchmark's bare baseline: 3.6-3.8 us); the columns and message
(eventjson.row_from_json, orjson's decoding included) 9.5 us; the EventTable with its packed
message blocks 4.0 us; the hand-off of a worker's table 0.4 us (pickling 0.3 there, unpickling
0.12 here). A worker costs 0.2 s wall and 0.13 s CPU to start (spawn and imports; lxml is no
longer among them). One parser per chunk is no dearer than one per 48 chunks (4.7 vs 5.9 us a
record, measured), so the per-chunk damage accounting costs nothing. The sum, about 20 us a
record against the bare loop's 3.7, spread over two cores, is why the load stays above 3x the bare
parser: what is left is the decoding and Python's work per record (see eventjson.py).
"""

from __future__ import annotations

import io
import os
import struct
from collections import OrderedDict
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from pathlib import Path
from typing import Any, cast

from evtx import PyEvtxParser

from app.errors import UserError
from app.events.eventjson import Row, row_from_json
from app.events.records import EventTable
from app.events.sources.base import Batch, Cancel, EventSource, check_readable

EVTX_MAGIC = b"ElfFile\x00"
CHUNK_MAGIC = b"ElfChnk\x00"
CHUNK_SIZE = 65536
RECORD_MAGIC = b"\x2a\x2a\x00\x00"
FIRST_CHUNKS = 4  # parsed in the calling thread, so the first rows are there at once
GROUP = 48  # chunks per worker task (~3 MB)
PARALLEL_FROM = 256  # chunks; below this (16 MB) starting worker processes costs more than it saves


def _locator(chunk: int, ordinal: int) -> int:
    """A row's key for its raw XML: chunk number and place in the chunk (up to 2**20 records)."""
    return (chunk << 20) | ordinal


def _count_record_signatures(chunk: bytes) -> int:
    """Records a damaged chunk held: record headers start with 0x2a2a0000 on 8-byte boundaries."""
    count, pos = 0, chunk.find(RECORD_MAGIC, 512)
    while pos >= 0:
        if pos % 8 == 0:
            count += 1
        pos = chunk.find(RECORD_MAGIC, pos + 4)
    return count


def parse_chunk(header: bytes, chunk: bytes, index: int, table: EventTable) -> tuple[int, int, str]:
    """Parse one chunk into `table`; returns (records read, records lost, error text or '')."""
    if chunk[:8] != CHUNK_MAGIC:
        if not chunk.strip(b"\x00"):
            return 0, 0, ""  # never-used space at the end of the file, not damage
        return 0, _count_record_signatures(chunk), f"chunk {index} has a damaged header"
    expected = 0
    if len(chunk) >= 40:
        first, last = struct.unpack_from("<QQ", chunk, 8)
        if last >= first:
            expected = min(last - first + 1, CHUNK_SIZE // 24)
    # JSON, not XML, for the columns: twice as fast to read in Python (see eventjson.py)
    parser = PyEvtxParser(io.BytesIO(header + chunk), number_of_threads=1)
    records = cast(Iterator[dict[str, Any]], parser.records_json())  # a dict per record
    rows: list[Row] = []
    add = rows.append
    error = ""
    while True:
        try:
            for rec in records:
                row = row_from_json(rec["data"])
                if row[5] is None:  # no EventRecordID in the System part: the record header's
                    row = (*row[:5], rec.get("event_record_id"), *row[6:])
                add(row)
            break
        except RuntimeError as exc:  # one bad record (or a broken chunk): keep going
            error = error or f"chunk {index}: {str(exc).splitlines()[0]}"
    # the whole chunk into the columns at once (one C-level pass per column)
    read = len(rows)
    table.append_rows(rows, range(_locator(index, 0), _locator(index, read)))
    return read, max(0, expected - read), error


def parse_chunk_range(path: str, header: bytes, start: int, count: int) -> tuple[EventTable, int, list[str]]:
    """Worker task: chunks [start, start+count) of the file -> (table, lost, errors)."""
    table, lost, errors = EventTable(), 0, []
    with open(path, "rb") as fh:
        fh.seek(len(header) + start * CHUNK_SIZE)
        for index in range(start, start + count):
            chunk = fh.read(CHUNK_SIZE)
            if not chunk:
                break
            _, missing, error = parse_chunk(header, chunk, index, table)
            lost += missing
            if error:
                errors.append(error)
    return table, lost, errors


class EvtxFileSource(EventSource):
    can_follow = True

    def __init__(self, path: str | Path, *, workers: int | None = None) -> None:
        super().__init__()
        self.path = Path(path)
        self.name = self.path.name
        check_readable(self.path)
        self.workers = workers if workers is not None else min(2, os.cpu_count() or 1)
        self.header = self._read_header()
        self._cache: OrderedDict[int, list[str]] = OrderedDict()
        self._next_chunk = 0  # follow mode: first chunk not yet complete
        self._rows_in_next = 0

    def _read_header(self) -> bytes:
        with self.path.open("rb") as fh:
            head = fh.read(4096)
        if not head.startswith(EVTX_MAGIC):
            raise UserError("is not an .evtx file (its first bytes are not 'ElfFile').", path=self.path)
        if len(head) < 128:
            raise UserError("is cut short: the .evtx file header is incomplete.", path=self.path)
        size = struct.unpack_from("<H", head, 40)[0] or 4096
        if size != 4096:
            size = 4096  # every Windows version writes a 4 KiB header block
        return head[:size]

    def _chunk_count(self) -> int:
        return max(0, (self.path.stat().st_size - len(self.header) + CHUNK_SIZE - 1) // CHUNK_SIZE)

    def _absorb(self, lost: int, errors: list[str]) -> None:
        self.report.records_lost += lost
        self.report.warnings.extend(errors)

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        self.report.warnings.clear()
        self.report.records_lost = 0
        total = self._chunk_count()
        if total == 0:
            raise UserError("has a header but no event chunks: there are no events in it.", path=self.path)
        first = min(FIRST_CHUNKS, total)
        table, lost, errors = parse_chunk_range(str(self.path), self.header, 0, first)
        self._absorb(lost, errors)
        last = table
        yield Batch(table, first, total)
        ranges = [(s, min(GROUP, total - s)) for s in range(first, total, GROUP)]
        if self.workers > 1 and total >= PARALLEL_FROM:
            parts = self._parallel(ranges, total, cancel)
        else:
            parts = self._serial(ranges, total, cancel)
        for batch in parts:
            last = batch.table
            yield batch
        if self.report.cancelled:
            return
        self._next_chunk = total
        self._rows_in_next = sum(1 for loc in last.locators if loc >> 20 == total - 1)
        self._finish_report()

    def _serial(self, ranges: list[tuple[int, int]], total: int, cancel: Cancel | None) -> Iterator[Batch]:
        for start, count in ranges:
            if cancel and cancel():
                self.report.cancelled = True
                return
            table, lost, errors = parse_chunk_range(str(self.path), self.header, start, count)
            self._absorb(lost, errors)
            yield Batch(table, start + count, total)

    def _parallel(self, ranges: list[tuple[int, int]], total: int,
                  cancel: Cancel | None) -> Iterator[Batch]:
        import multiprocessing

        # spawn, not fork: the GUI process has threads, and Windows can only spawn anyway
        context = multiprocessing.get_context("spawn")
        with ProcessPoolExecutor(self.workers, mp_context=context) as pool:
            futures = [pool.submit(parse_chunk_range, str(self.path), self.header, s, c)
                       for s, c in ranges]
            for (start, count), future in zip(ranges, futures, strict=True):
                if cancel and cancel():
                    self.report.cancelled = True
                    pool.shutdown(wait=False, cancel_futures=True)  # Cancel is quick
                    return
                try:
                    table, lost, errors = future.result()
                except BrokenProcessPool:  # no usable workers (frozen without freeze_support...)
                    table, lost, errors = parse_chunk_range(str(self.path), self.header, start, count)
                self._absorb(lost, errors)
                try:
                    yield Batch(table, start + count, total)
                except GeneratorExit:  # the reader stopped early: drop the queued work at once
                    pool.shutdown(wait=False, cancel_futures=True)
                    raise

    def _finish_report(self) -> None:
        if self.report.records_lost or self.report.warnings:
            self.report.warnings.insert(0, f"{self.path}: " + damage_summary(
                len(self.report.warnings), self.report.records_lost))

    # --- on demand -----------------------------------------------------------------------------

    def _chunk_xml(self, index: int) -> list[str]:
        if index in self._cache:
            self._cache.move_to_end(index)
            return self._cache[index]
        with self.path.open("rb") as fh:
            fh.seek(len(self.header) + index * CHUNK_SIZE)
            chunk = fh.read(CHUNK_SIZE)
        texts: list[str] = []
        if chunk[:8] == CHUNK_MAGIC:
            records = PyEvtxParser(io.BytesIO(self.header + chunk), number_of_threads=1).records()
            while True:
                try:
                    texts.append(cast(dict[str, Any], next(records))["data"])
                except StopIteration:
                    break
                except RuntimeError:
                    continue
        self._cache[index] = texts
        if len(self._cache) > 32:
            self._cache.popitem(last=False)
        return texts

    def raw_xml(self, locator: int, row: int) -> str | None:
        if locator < 0:
            return None
        texts = self._chunk_xml(locator >> 20)
        ordinal = locator & 0xFFFFF
        return texts[ordinal] if ordinal < len(texts) else None

    # --- follow mode ---------------------------------------------------------------------------

    def read_new(self) -> EventTable:
        """Records appended since the last call: the newest chunk may grow, new chunks may appear."""
        table = EventTable()
        total = self._chunk_count()
        start = max(0, self._next_chunk - 1)
        with self.path.open("rb") as fh:
            for index in range(start, total):
                fh.seek(len(self.header) + index * CHUNK_SIZE)
                chunk = fh.read(CHUNK_SIZE)
                part = EventTable()
                read, _, _ = parse_chunk(self.header, chunk, index, part)
                skip = self._rows_in_next if index == start and self._next_chunk else 0
                if read > skip:
                    part_rows = range(skip, read)
                    for row in part_rows:
                        table.append(part.times[row], part.levels[row], part.providers[row],
                                     part.event_ids[row], part.qualifiers[row], part.record_ids[row],
                                     part.computers[row], part.channels[row], part.messages[row],
                                     part.locators[row])
                if index == total - 1:
                    self._rows_in_next = read
        self._next_chunk = total
        self._cache.pop(total - 1, None)
        return table


def damage_summary(damaged_parts: int, records_lost: int) -> str:
    """One sentence that never contradicts itself ("0 damaged parts skipped; 39 lost")."""
    def count(n: int, word: str) -> str:
        """'1 record', '2 records'."""
        return f"{n} {word}" + ("" if n == 1 else "s")

    lost = f"about {count(records_lost, 'record')} could not be read"
    if not damaged_parts:
        return f"{lost[0].upper()}{lost[1:]}."
    return f"{count(damaged_parts, 'damaged part')} skipped; {lost}."
