"""How a search runs over one block's search text (textblocks.py): plain text with `str.find`,
a regex with one `finditer` over the joined lines or one bounded search per line, whichever the
block's share of matches makes cheaper. Each returns the numbers of the matching distinct
messages; `units_finder(spec)` builds one from a plain description (what the search helper
process receives down its pipe: scanhelper.py).
"""

from __future__ import annotations

import re
from array import array
from bisect import bisect_right
from collections.abc import Callable, Iterator
from itertools import compress, repeat
from operator import add, sub
from typing import Literal, Protocol

# What a search is, in plain values (they go down the search helper's pipe): ('find', needle) |
# ('regex', pattern, flags) | ('rows', pattern, flags).
SearchSpec = tuple[Literal["find"], str] | tuple[Literal["regex", "rows"], str, int]


class SearchPart(Protocol):
    """Search text of some of a block's distinct messages, one per line (textblocks._Part)."""

    text: str
    offsets: array[int]  # start of each line in `text`, and the end of the last
    first: int  # number of its first message in the block

    def lines(self) -> list[str]: ...

    def bounds(self) -> tuple[array[int], Iterator[int]]: ...


# a part -> numbers (within the part) of its matching messages
PartFinder = Callable[[SearchPart], list[int]]


class SearchBlock(Protocol):
    """A block's search text, ours (textblocks._Block) or the helper's (scanhelper._Held)."""

    def units_where(self, find_in_part: PartFinder) -> list[int]: ...


# a block -> numbers of its matching messages
BlockFinder = Callable[[SearchBlock], list[int]]


def units_where(parts: tuple[SearchPart, ...], find_in_part: PartFinder) -> list[int]:
    """Units `find_in_part(part)` reports (numbers within each part), numbered in the block."""
    found: list[int] = []
    for part in parts:
        hits = find_in_part(part)
        found.extend(map(add, hits, repeat(part.first)) if part.first else hits)
    return found


def unit_text(parts: tuple[SearchPart, ...], unit: int) -> str:
    """One distinct message's search text (without its line break)."""
    part = parts[-1] if unit >= parts[-1].first else parts[0]
    offs, i = part.offsets, unit - part.first
    return part.text[offs[i]:offs[i + 1] - 1]


def unit_check(spec: SearchSpec) -> Callable[[str], bool]:
    """The same search as `units_finder(spec)`, asked of one message's search text."""
    if spec[0] == "find":
        needle = spec[1]
        return lambda text: needle in text
    search = re.compile(spec[1], spec[2]).search
    return lambda text: search(text) is not None


def units_finder(spec: SearchSpec) -> BlockFinder:
    """('find', needle) | ('regex', pattern, flags) | ('rows', pattern, flags) -> block -> units.
    'rows' runs the regex on each message alone (patterns a joined block could mislead)."""
    if spec[0] == "find":  # on spec[0] itself: mypy tells the two shapes apart by it
        return _Finder(spec[1])
    pattern = re.compile(spec[1], spec[2])
    if spec[0] == "regex":
        return _Searcher(pattern)
    search = pattern.search
    return lambda block: block.units_where(
        lambda part: list(compress(range(len(part.offsets) - 1), map(search, part.lines()))))


class _Finder:
    """A plain text in a block's messages. Where most match, one bounded `find` per message (a C
    loop) beats collecting the matches with a Python step each; the part before decides."""

    def __init__(self, needle: str) -> None:
        self.needle = needle
        self.dense = False

    def __call__(self, block: SearchBlock) -> list[int]:
        return block.units_where(self.in_part)

    def in_part(self, part: SearchPart) -> list[int]:
        needle, text, offs = self.needle, part.text, part.offsets
        n = len(offs) - 1
        found: list[int] = []
        if not self.dense:  # str.find runs faster than a regex scan
            find, limit = text.find, n // 3
            pos = find(needle)
            while pos >= 0 and len(found) <= limit:
                unit = bisect_right(offs, pos) - 1  # no line break in the needle: stays in its line
                found.append(unit)
                pos = find(needle, offs[unit + 1])
            self.dense = pos >= 0
        if self.dense:
            starts, ends = part.bounds()
            hits = map(add, map(text.find, repeat(needle), starts, ends), repeat(1))
            found = list(compress(range(n), hits))  # find gives -1 (+1 = 0) where it misses
            self.dense = len(found) * 3 > n
        return found


class _Searcher:
    """A regex over a block's messages: one `finditer` over the text where matches are few, one
    bounded search per message where most match (or where a match ran across a line break)."""

    def __init__(self, pattern: re.Pattern[str]) -> None:
        self.pattern = pattern
        # a short literal lets str.find skip little: re's own scan is as fast then (measured)
        literal = literal_prefix(pattern)
        self.literal = literal if len(literal) >= 6 else ""
        self.dense = False

    def __call__(self, block: SearchBlock) -> list[int]:
        return block.units_where(self.in_part)

    def in_part(self, part: SearchPart) -> list[int]:
        n = len(part.offsets) - 1
        if not self.dense and self.literal:
            found = self._by_literal(part, n)
            if found is not None:
                return found
        if not self.dense:
            found = _lines_matching(part, self.pattern)
            if found is not None:
                self.dense = len(found) * 3 > n
                return found
        starts, ends = part.bounds()
        found = list(compress(range(n), map(self.pattern.search, repeat(part.text), starts, ends)))
        self.dense = len(found) * 3 > n
        return found


    def _by_literal(self, part: SearchPart, n: int) -> list[int] | None:
        """Every match starts with the literal: str.find (faster than re's own scan) picks the
        lines to ask; None when too many lines hold it (the dense path is cheaper then)."""
        text, offs, literal = part.text, part.offsets, self.literal
        find, search, found, asked = text.find, self.pattern.search, [], 0
        pos = find(literal)
        while pos >= 0:
            asked += 1
            if asked > n // 3:
                self.dense = True
                return None
            line = bisect_right(offs, pos) - 1
            if search(text, offs[line], offs[line + 1] - 1):
                found.append(line)
            pos = find(literal, offs[line + 1])
        return found


_META = set("\\.^$*+?{}[]|()")


def literal_prefix(pattern: re.Pattern[str]) -> str:
    """The plain characters every match of `pattern` starts with ('' when unsure)."""
    text = pattern.pattern
    if "|" in text or pattern.flags & (re.IGNORECASE | re.VERBOSE):
        return ""
    end = 0
    while end < len(text) and text[end] not in _META and text[end] != "\n":
        end += 1
    if end < len(text) and text[end] in "*?{":  # the last character is optional or repeated
        end -= 1
    return text[:max(end, 0)]


def _lines_matching(part: SearchPart, pattern: re.Pattern[str]) -> list[int] | None:
    """Lines where `pattern` matches, every step a C loop; None when a match ran across the line
    break that ends its line (the pattern can match one): each line is asked on its own then."""
    text = part.text
    found = list(pattern.finditer(text))
    if found and found[-1].start() == len(text):  # an empty match after the last line
        found.pop()
    if not found:
        return []
    offs = part.offsets.tolist()  # bisect over a list: no int boxed per probe
    first = list(map(bisect_right, repeat(offs), map(re.Match.start, found)))
    if first != list(map(bisect_right, repeat(offs), map(re.Match.end, found))):
        return None
    return list(map(sub, dict.fromkeys(first), repeat(1)))  # each once, in order
