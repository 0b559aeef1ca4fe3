"""The second core for searches over a big message column.

`str.find` and `re` hold the GIL, so a thread cannot scan beside us; a helper process can. It is
started with 'spawn' (a fresh interpreter; never fork(): the GUI process runs loader and Qt threads,
and a lock some thread held at fork time would stay locked in the child forever) once the column's
search text passes START_AT characters (at the first search over that much, so a load is not
slowed), and is sent the search text of about half the blocks (by size), then of the blocks that
arrive later. A feeder thread writes to the pipe, so neither the loader nor the GUI
waits for the child to start or to read; once a block is written, this process drops its own copy
of that block's search text (textblocks.py rebuilds it from the packed messages if it is needed
again), so the helper costs no second copy. Per search only the search itself ('find', needle) or
('regex', pattern, flags) and block numbers go down the pipe; the matching message numbers of each
block come back as one compact array. We scan our blocks while it scans its own.

Anything unexpected (a helper that died, answered garbage or took too long) ends the helper and
the caller scans those blocks itself: the same rows, only slower (the first such search also
rebuilds the search text it had handed over); a column whose helper failed does not start
another. Blocks not yet delivered to the helper are ours. The child runs nothing but `_serve`: no
Qt, no logging, no files.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import queue
import sys
import threading
import time
from array import array
from collections.abc import Callable, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Protocol

from app.events.blocksearch import (
    BlockFinder,
    PartFinder,
    SearchBlock,
    SearchPart,
    SearchSpec,
    unit_check,
    unit_text,
    units_finder,
    units_where,
)

START_AT = 64 << 20  # search text (characters) below which a serial scan is quick enough
# We wait for the helper this long beyond our own half (or at least FLOOR): past that we would
# scan its half sooner ourselves.
PATIENCE, FLOOR = 2.0, 0.25


class Block(SearchBlock, Protocol):
    """A block of the column as the helper side sees it (textblocks._Block)."""

    @property
    def parts(self) -> tuple[SearchPart, ...]: ...

    def search_bytes(self) -> int: ...

    def hand_over(self) -> None: ...


# down the pipe, in order: a block's search text, a search over some blocks (their numbers packed),
# or a check of some messages of some blocks (the counts and numbers packed)
_BlockSent = tuple[str, int, Block]
_Outgoing = _BlockSent | tuple[SearchSpec, bytes] | tuple[SearchSpec, bytes, bytes]


def available() -> bool:
    return "spawn" in multiprocessing.get_all_start_methods()


class SearchHelper:
    """One MessageColumn's helper: started by the first search over a big column, fed its half of
    the blocks then and as more arrive."""

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._outbox: queue.SimpleQueue[_Outgoing | None] | None = None
        self._feeder: threading.Thread | None = None
        self._lock = threading.Lock()  # start/close against the thread adding blocks
        self._queued: dict[int, object] = {}  # block number -> the block object sent for it
        self._delivered: dict[int, object] = {}  # ... of those, the ones written to the pipe
        self._theirs: dict[int, bool] = {}  # block number -> the helper's? (kept when replaced)
        self._load = [0, 0]  # characters of search text: ours, the helper's
        self.failed = not available()
        self.start_seconds = 0.0
        self.answers = 0  # searches the helper answered (tests check it really did)

    # --- feeding -------------------------------------------------------------------------------

    def added(self, blocks: Sequence[Block]) -> None:
        """The column's last block is new (or replaced a merged one): sent if it is the helper's.
        A helper is started by the first big search, not here: a load is not slowed by it."""
        if self.failed or self._process is None:
            return
        with self._lock:
            if self._process is None:
                return
            index = len(blocks) - 1
            if self._assign(index, blocks[index]):
                self._queue_block(index, blocks[index])

    def _start_if_big(self, blocks: Sequence[Block]) -> bool:
        if self.failed or sum(b.search_bytes() for b in blocks) < START_AT:
            return False
        started = time.perf_counter()
        try:
            context = multiprocessing.get_context("spawn")
            ours, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, os.getpid()),
                                      name="event-search", daemon=True)
            process.start()
        except (OSError, ValueError, RuntimeError):
            self.failed = True
            return False
        child.close()
        self._process, self._conn, self._outbox = process, ours, queue.SimpleQueue()
        self._queued, self._delivered = {}, {}  # this helper's own (an old feeder keeps its own)
        self._feeder = threading.Thread(target=_feed, args=(ours, self._outbox, self._queued,
                                                            self._delivered),
                                        name="event-search-feeder", daemon=True)
        self._feeder.start()
        self._theirs, self._load = {}, [0, 0]
        for index, block in enumerate(blocks):
            if self._assign(index, block):
                self._queue_block(index, block)
        self.start_seconds = time.perf_counter() - started
        return True

    def _assign(self, index: int, block: Block) -> bool:
        """Whether a block is the helper's: whichever side holds less text gets it, so both halves
        take about as long; a block replaced by a merged one keeps its side."""
        theirs = self._theirs.get(index)
        if theirs is None:
            theirs = self._theirs[index] = self._load[1] < self._load[0]
            self._load[theirs] += block.search_bytes()
        return theirs

    def _queue_block(self, index: int, block: Block) -> None:
        assert self._outbox is not None  # queued only once started
        self._queued[index] = block
        self._delivered.pop(index, None)  # a replaced block: the old one is no longer valid
        self._outbox.put(("block", index, block))

    # --- searching -----------------------------------------------------------------------------

    def units(self, blocks: Sequence[Block], wanted: list[int], spec: SearchSpec,
              units_of: BlockFinder) -> list[list[int]]:
        """`units_of(blocks[i])` for each i in `wanted` (ascending), the helper's blocks by it."""
        ours = wanted
        theirs: list[int] = []
        if not self.failed:
            if self._process is None:
                with self._lock:  # the first big search (or the first after a close) starts it
                    if self._process is None:
                        self._start_if_big(blocks)
            elif not self._process.is_alive():
                self._give_up()  # killed (the OOM killer?): starting again could end the same way
        if not self.failed and self._process is not None:
            # every delivered block is asked for, however small the search: only the helper
            # holds its search text (rebuilding ours would cost more than the round trip)
            held = self._delivered
            theirs = [i for i in wanted if held.get(i) is blocks[i]]
            if theirs:
                mine = set(theirs)
                ours = [i for i in wanted if i not in mine]
                if not self._ask(spec, theirs):
                    ours, theirs = wanted, []
        started = time.perf_counter()
        found = {i: units_of(blocks[i]) for i in ours}
        if theirs:
            answer = self._answer(len(theirs), max(FLOOR, PATIENCE * (time.perf_counter() - started)))
            if answer is None:  # scanned here after all: same rows
                answer = [units_of(blocks[i]) for i in theirs]
            found.update(zip(theirs, answer, strict=True))
        return [found[i] for i in wanted]

    def checked(self, blocks: Sequence[Block], asked: dict[int, list[int]], spec: SearchSpec,
                here: Callable[[int, list[int]], list[int]]) -> dict[int, list[int]]:
        """Which of the `asked` messages of each block match: those of the helper's blocks checked
        by it (only it holds their search text), the others by `here(i, units)`."""
        theirs: list[int] = []
        if not self.failed and self._process is not None:
            held = self._delivered
            theirs = [i for i in asked if held.get(i) is blocks[i]]
        mine = set(theirs)
        ours = [i for i in asked if i not in mine]
        if theirs:
            numbers = array("I", [len(asked[i]) for i in theirs])
            for i in theirs:
                numbers.extend(asked[i])
            if not self._ask(spec, theirs, numbers.tobytes()):
                ours, theirs = list(asked), []
        started = time.perf_counter()
        found = {i: here(i, asked[i]) for i in ours}
        if theirs:
            answer = self._answer(len(theirs), max(FLOOR, PATIENCE * (time.perf_counter() - started)))
            if answer is None:  # checked here after all: same rows
                answer = [here(i, asked[i]) for i in theirs]
            found.update(zip(theirs, answer, strict=True))
        return found

    def _ask(self, spec: SearchSpec, indices: list[int], units: bytes | None = None) -> bool:
        outbox = self._outbox
        if outbox is None or self._feeder is None or not self._feeder.is_alive():
            self._give_up()
            return False
        packed = array("I", indices).tobytes()
        outbox.put((spec, packed) if units is None else (spec, packed, units))
        return True

    def _answer(self, count: int, timeout: float) -> list[list[int]] | None:
        conn = self._conn
        if conn is None:
            return None
        try:
            if not conn.poll(timeout):
                self._give_up()
                return None
            data = conn.recv_bytes()
        except (OSError, EOFError):
            self._give_up()
            return None
        numbers = array("I")
        numbers.frombytes(data[:len(data) - len(data) % 4])
        if len(numbers) < count or sum(numbers[:count]) != len(numbers) - count:
            self._give_up()
            return None
        self.answers += 1
        out, at = [], count
        for n in numbers[:count]:
            out.append(numbers[at:at + n].tolist())
            at += n
        return out

    def _give_up(self) -> None:
        self.failed = True
        self.close()

    def close(self) -> None:
        """End the helper (table replaced, viewer closed, exit); safe to call twice."""
        with self._lock:
            process, conn, outbox, feeder = self._process, self._conn, self._outbox, self._feeder
            self._process = self._conn = self._outbox = self._feeder = None
            self._queued, self._delivered = {}, {}
        if outbox is not None:
            outbox.put(None)
        if process is not None:
            process.join(0.2)
            if process.is_alive():
                process.kill()  # silent or still busy: a stuck feeder write ends with it
                process.join(1)
        if feeder is not None and feeder is not threading.current_thread():
            feeder.join(1)
        if conn is not None:
            conn.close()

    @property
    def pid(self) -> int | None:
        process = self._process
        return process.pid if process is not None else None

    def peak_rss_mb(self) -> float | None:
        """The helper's peak resident memory (Linux; the benchmark reports it)."""
        pid = self.pid
        try:
            with open(f"/proc/{pid}/status", encoding="ascii") as fh:
                for line in fh:
                    if line.startswith("VmHWM:"):
                        return int(line.split()[1]) / 1024
        except (OSError, ValueError, TypeError):
            pass
        return None


def _feed(conn: Connection, outbox: queue.SimpleQueue[_Outgoing | None], queued: dict[int, object],
          delivered: dict[int, object]) -> None:
    """The feeder thread: writes blocks and searches to the pipe, in order; a block counts as the
    helper's once written (and still the one queued for its number)."""
    handed = False
    while True:
        item = outbox.get()
        if item is None:
            break
        try:
            if item[0] == "block":
                kind, index, block = item
                conn.send((kind, index, block.parts))
                current = queued.get(index) is block  # not replaced meanwhile
                if current:
                    block.hand_over()  # the helper has it: our copy goes
                    delivered[index] = block
                    handed = True
                if handed and outbox.empty():  # the batch is through
                    handed = False
                    give_back_memory()
            else:
                conn.send(item)
        except (OSError, ValueError, EOFError):
            break  # the searcher sees no answer and gives up
    try:
        conn.send(None)  # the child's signal to end
    except (OSError, ValueError, EOFError):
        pass


def give_back_memory() -> None:
    """Return freed heap pages to the system. glibc keeps the pages of freed mid-sized strings for
    reuse, so the handed-over search text would still count in our memory (measured: 526 MB
    before, 303 MB after, for a million .evtx events); elsewhere nothing to do."""
    if not sys.platform.startswith("linux"):
        return
    try:
        trim = ctypes.CDLL(None).malloc_trim  # glibc; musl has none
    except (OSError, AttributeError):
        return
    trim(0)


# --- the child's side ----------------------------------------------------------------------------

class _Held:
    """A block as the helper has it: its search text only."""

    __slots__ = ("parts",)

    def __init__(self, parts: tuple[SearchPart, ...]) -> None:
        self.parts = parts

    def units_where(self, find_in_part: PartFinder) -> list[int]:
        return units_where(self.parts, find_in_part)


def _serve(conn: Connection, parent: int) -> None:
    """The helper's whole life: keep the blocks it is sent, answer searches over them, until told
    to stop or orphaned."""
    held: dict[int, _Held] = {}
    while True:
        try:
            while not conn.poll(2.0):
                if os.getppid() != parent:
                    return
            request = conn.recv()
        except (EOFError, OSError):
            return
        if request is None:
            return
        if request[0] == "block":
            held[request[1]] = _Held(request[2])
            continue
        spec, packed = request[0], request[1]
        indices = array("I")
        indices.frombytes(packed)
        counts, units = array("I"), array("I")
        if len(request) == 3:  # ('checked') only the given messages of each block
            asked = array("I")
            asked.frombytes(request[2])
            check, at = unit_check(spec), len(indices)
            for i, n in zip(indices, asked[:len(indices)], strict=True):
                parts = held[i].parts
                found = [u for u in asked[at:at + n] if check(unit_text(parts, u))]
                at += n
                counts.append(len(found))
                units.extend(found)
        else:
            units_of = units_finder(spec)
            for i in indices:
                found = units_of(held[i])
                counts.append(len(found))
                units.extend(found)
        conn.send_bytes(counts.tobytes() + units.tobytes())
