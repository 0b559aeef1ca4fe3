"""The second core for searches over a big message column (Linux only).

`str.find` and `re` hold the GIL, so a thread cannot scan beside us. A helper process forked from
this one can: after the fork it already holds every block's search text (copy-on-write: nothing
copied, nothing pickled). Per search only the search itself ('find', needle) or ('regex',
pattern, flags) and block numbers go down the pipe; the matching message numbers of each block
come back as one compact array. We scan the first blocks while it scans the last ones.

Anything unexpected (no fork on this system, a helper that died, answered garbage or took too
long) ends the helper and the caller scans those blocks itself: the same rows, only slower; a
column whose helper failed does not fork again. Blocks added after the fork (follow mode) are
ours. The child runs nothing but `_serve`: no Qt, no logging, no files; it leaves with os._exit
(multiprocessing), so no atexit handler or Qt destructor of ours runs in it.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import sys
import time
from array import array
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

FORK_AT = 64 << 20  # search text (characters) below which a serial scan is quick enough
SPLIT_AT = 16 << 20  # a search over less than this is not worth a round trip
# We wait for the helper this long beyond our own half (or at least FLOOR): past that we would
# scan its half sooner ourselves.
PATIENCE, FLOOR = 2.0, 0.25


def available() -> bool:
    return sys.platform.startswith("linux") and "fork" in multiprocessing.get_all_start_methods()


class SearchHelper:
    """One MessageColumn's helper: started lazily, restarted when the column has outgrown it."""

    def __init__(self) -> None:
        self._process: BaseProcess | None = None
        self._conn: Connection | None = None
        self._forked: list = []  # the column's blocks as the child has them
        self.failed = not available()
        self.fork_seconds = 0.0
        self.answers = 0  # searches the helper answered (tests check it really did)

    # --- the parent's side ---------------------------------------------------------------------

    def units(self, blocks: list, wanted: list[int], spec: tuple, units_of,
              size=lambda block: block.search_bytes()) -> list:
        """`units_of(blocks[i])` for each i in `wanted` (ascending), half of them by the helper."""
        ours = wanted
        theirs: list[int] = []
        if not self.failed:
            sizes = [size(blocks[i]) for i in wanted]
            total = sum(sizes)
            if total >= SPLIT_AT and self._ready(blocks):
                shared = self._shared(blocks)
                cut, seen = len(wanted), 0
                for k, s in enumerate(sizes):  # the first half of the text is ours
                    seen += s
                    if seen * 2 >= total:
                        cut = k + 1
                        break
                theirs = [i for i in wanted[cut:] if i < shared]
                ours = wanted[:cut] + [i for i in wanted[cut:] if i >= shared]
                if theirs and not self._ask(spec, theirs):
                    ours, theirs = wanted, []
        started = time.perf_counter()
        found = {i: units_of(blocks[i]) for i in ours}
        if theirs:
            answer = self._answer(len(theirs), max(FLOOR, PATIENCE * (time.perf_counter() - started)))
            if answer is None:  # scanned here after all: same rows
                answer = [units_of(blocks[i]) for i in theirs]
            found.update(zip(theirs, answer, strict=True))
        return [found[i] for i in wanted]

    def _ready(self, blocks: list) -> bool:
        """A helper that knows most of `blocks`; forked now when there is none (or it is stale)."""
        total = sum(b.search_bytes() for b in blocks)
        if total < FORK_AT:
            return False
        if self._process is not None and not self._process.is_alive():
            self._give_up()  # killed (the OOM killer?): forking again could end the same way
            return False
        shared = self._shared(blocks)
        if self._process is not None and sum(b.search_bytes() for b in blocks[:shared]) * 2 >= total:
            return True
        self.close()
        return self._start(blocks)

    def _shared(self, blocks: list) -> int:
        """How many leading blocks are the very objects the child has (a small last block may
        have been merged with rows that arrived later: that one is no longer shared)."""
        n = 0
        for mine, theirs in zip(blocks, self._forked, strict=False):
            if mine is not theirs:
                break
            n += 1
        return n

    def _start(self, blocks: list) -> bool:
        started = time.perf_counter()
        try:
            context = multiprocessing.get_context("fork")
            ours, child = context.Pipe()
            process = context.Process(target=_serve, args=(child, ours, blocks, os.getpid()),
                                      name="event-search", daemon=True)
            process.start()
        except (OSError, ValueError):
            self.failed = True
            return False
        child.close()
        self._process, self._conn, self._forked = process, ours, list(blocks)
        self.fork_seconds = time.perf_counter() - started
        return True

    def _ask(self, spec: tuple, indices: list[int]) -> bool:
        assert self._conn is not None  # asked only once started
        try:
            self._conn.send((spec, array("I", indices).tobytes()))
            return True
        except (OSError, ValueError, EOFError):
            self._give_up()
            return False

    def _answer(self, count: int, timeout: float) -> list | None:
        assert self._conn is not None  # asked only once started
        try:
            if not self._conn.poll(timeout):
                self._give_up()
                return None
            data = self._conn.recv_bytes()
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
        process, conn = self._process, self._conn
        self._process = self._conn = None
        self._forked = []
        if conn is not None:
            try:
                conn.send(None)
            except (OSError, ValueError):
                pass
            conn.close()
        if process is not None:
            process.join(0.2)
            if process.is_alive():
                process.kill()
                process.join(1)

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None


# --- the child's side ----------------------------------------------------------------------------

def _serve(conn, parents_end, blocks: list, parent: int) -> None:
    """The helper's whole life: answer searches over `blocks` until told to stop or orphaned."""
    from app.events.blocksearch import units_finder

    parents_end.close()  # so a dead parent reads as end of file here
    gc.disable()  # a collection writes to every tracked object: pages copied for nothing
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
        spec, packed = request
        indices = array("I")
        indices.frombytes(packed)
        units_of = units_finder(spec)
        counts, units = array("I"), array("I")
        for i in indices:
            found = units_of(blocks[i])
            counts.append(len(found))
            units.extend(found)
        conn.send_bytes(counts.tobytes() + units.tobytes())
