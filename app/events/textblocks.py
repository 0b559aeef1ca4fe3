"""The message column of an EventTable: a million messages without a million string objects.

Rows are kept in blocks of a few thousand. A log repeats itself (the same message for every
object, every run), so a block keeps each distinct message once and a row holds its number
(4 bytes). Per block:
- the search text: every distinct message lower-cased, its line breaks turned into spaces, joined
  into ONE string with a line break after each, so a search is `str.find` or one regex scan over
  a block (C speed, about a megabyte at a time) instead of a Python call per row; and
- the distinct messages as written, zlib-compressed (log text shrinks five- to tenfold), unpacked
  only for the rows on screen, an export or a copy (the last few unpacked blocks are cached).
Keeping the original and a lower-cased copy of every message as separate strings cost about 700 MB
at a million rows; this costs the search text plus a tenth.
"""

from __future__ import annotations

import re
import weakref
import zlib
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import add, sub
from typing import overload

from app.events.blocksearch import PartFinder, SearchSpec, unit_text, units_finder, units_where
from app.events.scanhelper import SearchHelper

BLOCK_ROWS = 4096
SMALL_BLOCK = 256  # follow mode adds a few rows at a time: small blocks are merged
_CACHE_BLOCKS = 6
# A regex containing one of these may behave differently over a joined block than on one row
# (anchors at the string's ends, look-arounds and inline flags): it is run row by row instead.
_ROW_BY_ROW = re.compile(r"\\[AZ]|\(\?")


def search_text(message: str) -> str:
    """What a search sees: the message lower-cased, on one line."""
    return message.lower().replace("\n", " ")


class _Part:
    """Search text of some of a block's distinct messages, one line each. A block's ASCII messages
    and the others are kept apart: one CJK character would make Python store the whole joined
    string with 2 or 4 bytes a character, and searches over it run that much slower."""

    __slots__ = ("text", "offsets", "first")

    def __init__(self, lowered: list[str], first: int) -> None:
        self.text = "\n".join(lowered) + "\n"
        self.offsets = _offsets(lowered, 1)
        self.first = first  # unit number of its first line

    def lines(self) -> list[str]:
        parts = self.text.split("\n")
        parts.pop()  # after the last line break
        return parts

    def bounds(self) -> tuple[array[int], Iterator[int]]:
        """Start and end (before its line break) of each line."""
        offs = self.offsets
        return offs[:-1], map(sub, offs[1:], repeat(1))


class _Block:
    __slots__ = ("rows", "units", "index", "_parts", "packed", "offsets", "size", "in_order")

    def __init__(self, messages: list[str]) -> None:
        self.rows = len(messages)
        distinct = list(dict.fromkeys(messages))
        lowered = [search_text(m) for m in distinct]
        narrow = list(map(str.isascii, lowered))
        if not all(narrow):  # ASCII first, the rest after (see _Part)
            order = sorted(range(len(distinct)), key=narrow.__getitem__, reverse=True)
            distinct = [distinct[i] for i in order]
            lowered = [lowered[i] for i in order]
        self._parts: tuple[_Part, ...] | None = _parts_of(lowered)
        number = {m: i for i, m in enumerate(distinct)}
        self.units = len(distinct)
        self.index = array("I", map(number.__getitem__, messages))  # row -> its distinct message
        self.packed = zlib.compress("".join(distinct).encode("utf-8", "surrogatepass"), 1)
        self.offsets = _offsets(distinct, 0)
        self.size = sum(len(p.text) for p in self._parts)  # characters of search text
        self.in_order = self.units == self.rows and len(self._parts) == 1  # unit i is row i

    @property
    def parts(self) -> tuple[_Part, ...]:
        """The search text; rebuilt from the packed messages if it was handed to the helper."""
        parts = self._parts
        if parts is None:
            parts = self._parts = _parts_of(list(map(search_text, self.unpack())))
        return parts

    @property
    def held(self) -> bool:
        """Whether this process holds the search text (not handed over to the helper)."""
        return self._parts is not None

    def hand_over(self) -> None:
        """The search helper process holds this block's search text now (scanhelper.py): ours is
        dropped, so the helper costs no second copy; `parts` rebuilds it if we need it again."""
        self._parts = None

    def unpack(self) -> list[str]:
        """The distinct messages, in unit order."""
        text, offs = zlib.decompress(self.packed).decode("utf-8", "surrogatepass"), self.offsets
        return [text[offs[i]:offs[i + 1]] for i in range(self.units)]

    def messages(self) -> list[str]:
        return list(map(self.unpack().__getitem__, self.index))

    def lowered_units(self) -> list[str]:
        parts = self._parts
        if parts is None:  # handed over: computed, not kept
            return list(map(search_text, self.unpack()))
        return [line for part in parts for line in part.lines()]

    def lowered(self) -> list[str]:
        return list(map(self.lowered_units().__getitem__, self.index))

    def unit_text(self, unit: int) -> str:
        return unit_text(self.parts, unit)

    def search_bytes(self) -> int:
        return self.size

    def units_where(self, find_in_part: PartFinder) -> list[int]:
        return units_where(self.parts, find_in_part)

    def hits(self, units: list[int]) -> bytearray:
        hit = bytearray(self.units)
        for unit in units:
            hit[unit] = 1
        return hit

    def rows_of(self, units: list[int], base: int) -> Iterable[int]:
        """Rows (base-numbered) whose message is one of `units` (ascending, distinct)."""
        if not units:
            return ()
        if len(units) == self.units:
            return range(base, base + self.rows)
        if self.in_order:  # all distinct, kept in row order
            return map(add, units, repeat(base))
        return compress(range(base, base + self.rows), map(self.hits(units).__getitem__, self.index))


def _parts_of(lowered: list[str]) -> tuple[_Part, ...]:
    """A block's search text from its lowered distinct messages (ASCII ones first)."""
    split = sum(map(str.isascii, lowered))
    return tuple(_Part(lowered[a:b], a) for a, b in ((0, split), (split, len(lowered))) if b > a)


def _offsets(parts: list[str], gap: int) -> array[int]:
    """Start of each part in the joined text, and the end of the last (C-level loops)."""
    sizes = map(add, map(len, parts), repeat(gap)) if gap else map(len, parts)
    return array("Q", accumulate(sizes, initial=0))


class MessageColumn(Sequence[str]):
    """A list-like column of messages (index, slice, iterate, compare with a list)."""

    def __init__(self) -> None:
        self._blocks: list[_Block] = []
        self._starts: list[int] = []  # first row of each block
        self._sealed_rows = 0
        self._pending: list[str] = []
        self._cache: OrderedDict[int, list[str]] = OrderedDict()
        # a second core for big searches (a spawned process); ended when this column is dropped
        self._helper = SearchHelper()
        weakref.finalize(self, self._helper.close)

    # --- filling -------------------------------------------------------------------------------

    def append(self, message: str) -> None:
        self._pending.append(message)
        if len(self._pending) >= BLOCK_ROWS:
            self.seal()

    def seal(self) -> None:
        """Pack the rows added since the last seal into a block (searchable, compressed)."""
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        if self._blocks and self._blocks[-1].rows < SMALL_BLOCK and len(pending) < BLOCK_ROWS:
            last = self._blocks.pop()
            self._starts.pop()
            self._sealed_rows -= last.rows
            self._cache.pop(len(self._blocks), None)
            pending = last.messages() + pending
        self._add_block(_Block(pending))

    def _add_block(self, block: _Block) -> None:
        self._blocks.append(block)
        self._starts.append(self._sealed_rows)
        self._sealed_rows += block.rows
        self._helper.added(self._blocks)  # a big column's helper gets every other block

    def extend(self, other: MessageColumn | Sequence[str]) -> None:
        if not isinstance(other, MessageColumn):
            rows = self._pending
            rows.extend(other)
            full = len(rows) - len(rows) % BLOCK_ROWS
            for start in range(0, full, BLOCK_ROWS):  # as append would: full blocks sealed
                self._pending = rows[start:start + BLOCK_ROWS]
                self.seal()
            self._pending = rows[full:] if full else rows
            return
        other.seal()
        if not other._blocks:
            return
        if self._pending or (self._blocks and self._blocks[-1].rows < SMALL_BLOCK
                             and other._blocks[0].rows < SMALL_BLOCK):
            self._pending.extend(other._blocks[0].messages())
            self.seal()
            rest = other._blocks[1:]
        else:
            rest = other._blocks
        for block in rest:
            self._add_block(block)

    def __getstate__(self) -> dict[str, list[_Block]]:
        self.seal()
        return {"_blocks": self._blocks}

    def __setstate__(self, state: dict[str, list[_Block]]) -> None:
        MessageColumn.__init__(self)
        for block in state["_blocks"]:
            self._add_block(block)

    # --- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._sealed_rows + len(self._pending)

    def _unpacked(self, index: int) -> list[str]:
        hit = self._cache.get(index)
        if hit is not None:
            self._cache.move_to_end(index)
            return hit
        hit = self._cache[index] = self._blocks[index].unpack()
        if len(self._cache) > _CACHE_BLOCKS:
            self._cache.popitem(last=False)
        return hit

    def _locate(self, row: int) -> tuple[int, int]:
        if row < 0:
            row += len(self)
        if not 0 <= row < self._sealed_rows:
            raise IndexError(row)
        index = bisect_right(self._starts, row) - 1
        return index, self._blocks[index].index[row - self._starts[index]]

    def _unit_text(self, index: int, unit: int) -> str:
        """A distinct message's search text; taken from the unpacked messages when the block's
        search text was handed to the helper (so no copy of it comes back here)."""
        block = self._blocks[index]
        if block.held:
            return block.unit_text(unit)
        return search_text(self._unpacked(index)[unit])

    @overload
    def __getitem__(self, row: int) -> str: ...

    @overload
    def __getitem__(self, row: slice) -> list[str]: ...

    def __getitem__(self, row: int | slice) -> str | list[str]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if self._sealed_rows <= (row if row >= 0 else row + len(self)) < len(self):
            return self._pending[(row if row >= 0 else row + len(self)) - self._sealed_rows]
        index, unit = self._locate(row)
        return self._unpacked(index)[unit]

    def __iter__(self) -> Iterator[str]:
        for block in self._blocks:
            yield from block.messages()
        yield from list(self._pending)

    def __eq__(self, other: object) -> bool:
        if isinstance(other, (MessageColumn, list)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def lowered(self) -> LoweredView:
        self.seal()
        return LoweredView(self)

    def nbytes(self) -> int:
        return sum((b.size if b.held else 0) + len(b.packed) + 16 * len(b.offsets) + 4 * b.rows
                   for b in self._blocks) + sum(len(m) + 49 for m in self._pending)

    # --- searching -----------------------------------------------------------------------------

    def find_rows(self, needle: str, rows: Sequence[int] | None = None) -> list[int]:
        """Rows (of `rows`, ascending; all when None) whose search text contains `needle`."""
        needle = search_text(needle)
        if not needle:
            return list(range(len(self))) if rows is None else list(rows)
        return self._scan(rows, ("find", needle), lambda text: needle in text)

    def search_rows(self, pattern: re.Pattern[str], rows: Sequence[int] | None = None,
                    *, blockwise: bool | None = None) -> list[int]:
        """Rows whose search text `pattern` finds something in (the pattern sees lower case)."""
        if blockwise is None:
            blockwise = not _ROW_BY_ROW.search(pattern.pattern)
        if not blockwise:
            search = pattern.search
            return self._scan(rows, ("rows", pattern.pattern, pattern.flags),
                              lambda text: search(text) is not None)
        pattern = re.compile(pattern.pattern, pattern.flags | re.M)  # ^ $: a row's start and end
        return self._scan(rows, ("regex", pattern.pattern, pattern.flags),
                          lambda text: pattern.search(text) is not None)

    def close_search_helper(self) -> None:
        """End the helper process (the table is replaced or its viewer closed); a later search
        starts and feeds a new one when the column is big."""
        self._helper.close()

    def _scan(self, rows: Sequence[int] | None, spec: SearchSpec,
              one_unit: Callable[[str], bool]) -> list[int]:
        """Rows matching, block by block: `units_finder(spec)(block)` lists a block's matching
        messages; the blocks scanned whole are shared with the helper process (scanhelper.py)."""
        self.seal()
        blocks, starts = self._blocks, self._starts
        out: list[int] = []
        if rows is None:
            wanted = list(range(len(blocks)))
            units = self._helper.units(blocks, wanted, spec, units_finder(spec))
            for i, found in zip(wanted, units, strict=True):
                out.extend(blocks[i].rows_of(found, starts[i]))
            return out
        rows = rows if isinstance(rows, (list, range, array)) else list(rows)
        picks, lo = [], 0
        for block, base in zip(blocks, starts, strict=True):
            hi = bisect_right(rows, base + block.rows - 1, lo)
            picks.append((lo, hi))
            lo = hi
        # scan a block's messages once where many of its rows are asked, else ask row by row
        whole = [i for i, (lo, hi) in enumerate(picks) if hi > lo and (hi - lo) * 16 >= blocks[i].units]
        scanned = dict(zip(whole, self._helper.units(blocks, whole, spec, units_finder(spec)),
                           strict=True))
        # the few messages asked of a block whose search text went to the helper: checked there
        away = {i: sorted(set(map(blocks[i].index.__getitem__, map(sub, rows[lo:hi], repeat(starts[i])))))
                for i, (lo, hi) in enumerate(picks) if hi > lo and i not in scanned and not blocks[i].held}
        if away:
            def here(i: int, units: list[int]) -> list[int]:
                return [u for u in units if one_unit(self._unit_text(i, u))]
            scanned.update(self._helper.checked(blocks, away, spec, here))
        for i, (lo, hi) in enumerate(picks):
            if hi == lo:
                continue
            block, base, picked = blocks[i], starts[i], rows[lo:hi]
            if i in scanned:
                hit = block.hits(scanned[i])
                out.extend(compress(picked, map(hit.__getitem__, map(
                    block.index.__getitem__, map(sub, picked, repeat(base))))))
                continue
            index = block.index
            seen: dict[int, bool] = {}
            for row in picked:
                unit = index[row - base]
                ok = seen.get(unit)
                if ok is None:
                    ok = seen[unit] = one_unit(self._unit_text(i, unit))
                if ok:
                    out.append(row)
        return out


class LoweredView(Sequence[str]):
    """The search text of each row, list-like (sorting by message uses it)."""

    def __init__(self, column: MessageColumn) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    @overload
    def __getitem__(self, row: int) -> str: ...

    @overload
    def __getitem__(self, row: slice) -> list[str]: ...

    def __getitem__(self, row: int | slice) -> str | list[str]:
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        index, unit = self.column._locate(row)
        return self.column._unit_text(index, unit)

    def __iter__(self) -> Iterator[str]:
        for block in self.column._blocks:
            yield from block.lowered()

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Iterable):  # `view == None` is False, not a TypeError
            return NotImplemented
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]
