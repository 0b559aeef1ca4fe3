"""The message column: blocks, compression and block-wise search agree with a plain list."""

from __future__ import annotations

import pickle
import re

from hypothesis import given, settings
from hypothesis import strategies as st

from app.events import textblocks
from app.events.filters import EventFilter
from app.events.records import EventTable
from app.events.textblocks import MessageColumn, search_text

WORDS = ["HRDatabase", "access denied", "access is denied", "hrdatabase-2", "Access is denied", "im001", "IM00x", "CSV", "İstanbul",
         "ß", "line\nbreak", "", " ", "\r\n", "a", "é", "\ud800", "\x00", "connector 'CSV'"]
messages = st.lists(st.lists(st.sampled_from(WORDS), max_size=4).map(" ".join), max_size=60)


def column_of(items: list[str], block_rows: int) -> MessageColumn:
    textblocks.BLOCK_ROWS = block_rows
    try:
        col = MessageColumn()
        for m in items:
            col.append(m)
        return col
    finally:
        textblocks.BLOCK_ROWS = 4096


@settings(max_examples=300, deadline=None)
@given(messages, st.sampled_from([1, 3, 7, 4096]))
def test_column_reads_back_exactly(items, block_rows):
    col = column_of(items, block_rows)
    assert list(col) == items and len(col) == len(items)
    assert [col[i] for i in range(len(items))] == items
    assert col[-3:] == items[-3:]
    copy = pickle.loads(pickle.dumps(col))
    assert copy == items and list(copy.lowered()) == [search_text(m) for m in items]


@settings(max_examples=300, deadline=None)
@given(messages, st.sampled_from([1, 5, 4096]),
       st.sampled_from(["hrdatabase", "access is", "im00", "a", " ", "ß", "İ", "break",
                        "line\nbreak", "zzz"]))
def test_find_rows_matches_a_plain_loop(items, block_rows, needle):
    col = column_of(items, block_rows)
    want = [i for i, m in enumerate(items) if search_text(needle) in search_text(m)]
    assert col.find_rows(needle) == want
    odd = list(range(1, len(items), 2))
    assert col.find_rows(needle, odd) == [i for i in want if i % 2]


@settings(max_examples=300, deadline=None)
@given(messages, st.sampled_from([1, 5, 4096]),
       st.sampled_from([r"im00\d", r"access.*denied", r"^csv", r"csv'?$", r"\bcsv\b", r"a\s+b",
                        r"[^x]*denied", r"access is.*denied", r"\s", r"hrdatabase(?!-)", r"(?<=')csv", r"\Acsv",
                        r"a|é", r"x*", r"line break"]))
def test_search_rows_matches_a_plain_loop(items, block_rows, regex):
    col = column_of(items, block_rows)
    pattern = re.compile(regex, re.M)
    want = [i for i, m in enumerate(items) if re.search(regex, search_text(m))]
    assert col.search_rows(pattern) == want
    few = list(range(0, len(items), 5))
    assert col.search_rows(pattern, few) == [i for i in want if i % 5 == 0]


def test_tables_extend_merge_small_blocks_and_share_names():
    table = EventTable()
    for n in range(600):  # follow mode: a few rows at a time
        part = EventTable()
        part.append(10_000_000, 4, "ConnectorsLog".lower().title(), 0, 0, n, "HOST", "ECMA2Host", f"row {n}")
        table.extend(part)
    assert len(table.messages._blocks) < 10
    same = MessageColumn()
    for n in range(1000):
        same.append(f"Export run {n % 3} finished")
    same.seal()
    assert same._blocks[0].units == 3 and same[999] == "Export run 0 finished"
    assert same.find_rows("RUN 1") == list(range(1, 1000, 3))
    varied = column_of([f"message {n} of HRDatabase" if n % 7 else f"other {n}" for n in range(500)], 4096)
    assert varied.find_rows("hrdatabase", [3, 7, 150, 496]) == [3, 150, 496]  # one row at a time
    assert varied.search_rows(re.compile(r"^other \d+$", re.M), [0, 7, 8, 490]) == [0, 7, 490]
    assert [table.messages[i] for i in (0, 299, 599)] == ["row 0", "row 299", "row 599"]
    assert len({id(p) for p in table.providers}) == 1
    assert EventFilter(text="ROW 59").apply(table) == [59] + list(range(590, 600))


def test_the_search_text_view_compares_like_a_list():
    """`==` never raises: against something that is not a sequence of texts it is simply unequal
    (found by annotating LoweredView.__eq__, which took any object and called list() on it)."""
    lowered = column_of(["Access DENIED", "ok"], 1).lowered()
    assert lowered == ["access denied", "ok"] and lowered != ["Access DENIED", "ok"]
    assert lowered != None and lowered != 3  # noqa: E711 - comparing with None is the case under test
