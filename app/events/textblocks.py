"""The message column of an EventTable: a million messages without a million string objects.

Rows are kept in blocks of a few thousand. Each block holds
- the search text: every message lower-cased, its line breaks turned into spaces, joined into ONE
  string with a line break after each row, so a search is `str.find` or one regex scan over a
  block (C speed, about a megabyte at a time) instead of a Python call per row; and
- the messages as written, zlib-compressed (log text shrinks about tenfold), unpacked only for the
  rows on screen, an export or a copy (the last few unpacked blocks are cached).
Keeping the original and a lower-cased copy of every message as separate strings cost about 700 MB
at a million rows; this costs the search text plus a tenth.
"""

from __future__ import annotations

import re
import zlib
from array import array
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from itertools import accumulate, compress, repeat
from operator import add, contains

BLOCK_ROWS = 4096
SMALL_BLOCK = 256  # follow mode adds a few rows at a time: small blocks are merged
_CACHE_BLOCKS = 6
# A regex containing one of these may behave differently over a joined block than on one row
# (anchors at the string's ends, look-arounds and inline flags): it is run row by row instead.
_ROW_BY_ROW = re.compile(r"\\[AZ]|\(\?")


def search_text(message: str) -> str:
    """What a search sees: the message lower-cased, on one line."""
    return message.lower().replace("\n", " ")


class _Block:
    __slots__ = ("rows", "lower", "lower_offsets", "packed", "offsets")

    def __init__(self, messages: list[str]) -> None:
        self.rows = len(messages)
        lowered = [search_text(m) for m in messages]
        self.lower = "\n".join(lowered) + "\n"
        self.lower_offsets = _offsets(lowered, 1)
        self.packed = zlib.compress("".join(messages).encode("utf-8", "surrogatepass"), 1)
        self.offsets = _offsets(messages, 0)

    def unpack(self) -> str:
        return zlib.decompress(self.packed).decode("utf-8", "surrogatepass")

    def messages(self) -> list[str]:
        text, offs = self.unpack(), self.offsets
        return [text[offs[i]:offs[i + 1]] for i in range(self.rows)]

    def lowered(self) -> list[str]:
        parts = self.lower.split("\n")
        parts.pop()  # after the last row's line break
        return parts


def _offsets(parts: list[str], gap: int) -> array:
    """Start of each part in the joined text, and the end of the last (C-level loops)."""
    sizes = map(add, map(len, parts), repeat(gap)) if gap else map(len, parts)
    return array("Q", accumulate(sizes, initial=0))


class MessageColumn(Sequence):
    """A list-like column of messages (index, slice, iterate, compare with a list)."""

    def __init__(self) -> None:
        self._blocks: list[_Block] = []
        self._starts: list[int] = []  # first row of each block
        self._sealed_rows = 0
        self._pending: list[str] = []
        self._cache: OrderedDict[int, tuple[str, array]] = OrderedDict()

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

    def extend(self, other: MessageColumn | list[str]) -> None:
        if not isinstance(other, MessageColumn):
            for message in other:
                self.append(message)
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

    def __getstate__(self) -> dict:
        self.seal()
        return {"_blocks": self._blocks}

    def __setstate__(self, state: dict) -> None:
        self.__init__()
        for block in state["_blocks"]:
            self._add_block(block)

    # --- reading -------------------------------------------------------------------------------

    def __len__(self) -> int:
        return self._sealed_rows + len(self._pending)

    def _unpacked(self, index: int) -> tuple[str, array]:
        hit = self._cache.get(index)
        if hit is not None:
            self._cache.move_to_end(index)
            return hit
        block = self._blocks[index]
        hit = (block.unpack(), block.offsets)
        self._cache[index] = hit
        if len(self._cache) > _CACHE_BLOCKS:
            self._cache.popitem(last=False)
        return hit

    def __getitem__(self, row):
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        if row >= self._sealed_rows:
            return self._pending[row - self._sealed_rows]
        if row < 0:
            raise IndexError(row)
        index = bisect_right(self._starts, row) - 1
        text, offs = self._unpacked(index)
        i = row - self._starts[index]
        return text[offs[i]:offs[i + 1]]

    def __iter__(self) -> Iterator[str]:
        for block in self._blocks:
            yield from block.messages()
        yield from list(self._pending)

    def __eq__(self, other) -> bool:
        if isinstance(other, (MessageColumn, list)):
            return len(self) == len(other) and list(self) == list(other)
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def lowered(self) -> LoweredView:
        self.seal()
        return LoweredView(self)

    def nbytes(self) -> int:
        return sum(len(b.lower) + len(b.packed) + 8 * (len(b.offsets) + len(b.lower_offsets))
                   for b in self._blocks) + sum(len(m) + 49 for m in self._pending)

    # --- searching -----------------------------------------------------------------------------

    def find_rows(self, needle: str, rows: Sequence[int] | None = None) -> list[int]:
        """Rows (of `rows`, ascending; all when None) whose search text contains `needle`."""
        needle = search_text(needle)
        if not needle:
            return list(range(len(self))) if rows is None else list(rows)
        return self._scan(rows, _Finder(needle),
                          lambda text: needle in text)

    def search_rows(self, pattern: re.Pattern, rows: Sequence[int] | None = None,
                    *, blockwise: bool | None = None) -> list[int]:
        """Rows whose search text `pattern` finds something in (the pattern sees lower case)."""
        if blockwise is None:
            blockwise = not _ROW_BY_ROW.search(pattern.pattern)
        search = pattern.search
        if not blockwise:
            return self._scan(rows, lambda block, base, out: out.extend(
                compress(range(base, base + block.rows), map(search, block.lowered()))),
                lambda text: search(text) is not None)
        pattern = re.compile(pattern.pattern, pattern.flags | re.M)  # ^ $: a row's start and end
        return self._scan(rows, lambda block, base, out: _search_in(block, base, pattern, out),
                          lambda text: pattern.search(text) is not None)

    def _scan(self, rows, whole_block, one_row) -> list[int]:
        self.seal()
        out: list[int] = []
        if rows is None:
            for block, base in zip(self._blocks, self._starts, strict=True):
                whole_block(block, base, out)
            return out
        rows = rows if isinstance(rows, (list, range, array)) else list(rows)
        lo = 0
        for block, base in zip(self._blocks, self._starts, strict=True):
            hi = bisect_right(rows, base + block.rows - 1, lo)
            picked = rows[lo:hi]
            lo = hi
            if not picked:
                continue
            if len(picked) * 4 >= block.rows:  # most of the block: scan it whole, keep the picked
                found: list[int] = []
                whole_block(block, base, found)
                out.extend(filter(set(picked).__contains__, found))
            else:
                text, offs = block.lower, block.lower_offsets
                out.extend(r for r in picked
                           if one_row(text[offs[r - base]:offs[r - base + 1] - 1]))
        return out


class LoweredView(Sequence):
    """The search text of each row, list-like (sorting by message uses it)."""

    def __init__(self, column: MessageColumn) -> None:
        self.column = column

    def __len__(self) -> int:
        return len(self.column)

    def __getitem__(self, row):
        col = self.column
        if isinstance(row, slice):
            return [self[i] for i in range(*row.indices(len(self)))]
        if row < 0:
            row += len(self)
        index = bisect_right(col._starts, row) - 1
        block = col._blocks[index]
        i = row - col._starts[index]
        return block.lower[block.lower_offsets[i]:block.lower_offsets[i + 1] - 1]

    def __iter__(self) -> Iterator[str]:
        for block in self.column._blocks:
            yield from block.lowered()

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None  # type: ignore[assignment]


def _row_at(offs: array, pos: int) -> int:
    return bisect_right(offs, pos) - 1


def _matching_rows(block: _Block, base: int, pattern: re.Pattern, out: list[int]) -> bool:
    """Rows where `pattern` matches, every step a C loop (no Python step per match or per row).

    False, with `out` untouched, when a match ran across the line break that ends its row (the
    pattern can match a line break): the careful row-by-row check must decide then.
    """
    found = list(pattern.finditer(block.lower))
    if found and found[-1].start() == len(block.lower):  # an empty match after the last row
        found.pop()
    if not found:
        return True
    offs = block.lower_offsets.tolist()  # bisect over a list: no int boxed per probe
    first = list(map(bisect_right, repeat(offs), map(re.Match.start, found)))
    if first != list(map(bisect_right, repeat(offs), map(re.Match.end, found))):
        return False
    out.extend(map(add, dict.fromkeys(first), repeat(base - 1)))  # each row once, in order
    return True


class _Finder:
    """A plain text in every row of a block. Where most rows match, splitting the block into rows
    and testing each (one C loop) beats collecting a match per row; the last block decides."""

    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.dense = False

    def __call__(self, block: _Block, base: int, out: list[int]) -> None:
        start, n, needle = len(out), block.rows, self.needle
        if not self.dense:  # str.find runs faster than a regex scan; a Python step per match
            text, offs = block.lower, block.lower_offsets
            find, limit = text.find, start + n // 3
            pos = find(needle)
            while pos >= 0 and len(out) < limit:
                row = _row_at(offs, pos)  # the needle has no line break: it stays in its row
                out.append(base + row)
                pos = find(needle, offs[row + 1])
            if pos >= 0:
                del out[start:]
                self.dense = True
        if self.dense:
            out.extend(compress(range(base, base + n), map(contains, block.lowered(), repeat(needle))))
        self.dense = (len(out) - start) * 3 > n


def _search_in(block: _Block, base: int, pattern: re.Pattern, out: list[int]) -> None:
    if _matching_rows(block, base, pattern, out):
        return
    text, offs, n = block.lower, block.lower_offsets, block.rows
    search = pattern.search
    m = search(text)
    while m is not None:
        row = _row_at(offs, m.start())
        end = offs[row + 1] - 1
        if m.end() <= end or search(text[offs[row]:end]) is not None:  # ran past the row: recheck
            out.append(base + row)
        if row + 1 >= n:
            return
        m = search(text, offs[row + 1])
