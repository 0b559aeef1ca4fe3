"""The search helper process (scanhelper.py): the same rows as the serial scan, always.

The size thresholds are lowered so a few thousand rows already use the helper; each test checks
that the helper really answered (or really failed) so none passes by silently scanning serially.
"""

from __future__ import annotations

import gc
import random
import re
import time
from array import array
from pathlib import Path

import pytest

from app import liveness
from app.events import scanhelper
from app.events.filters import EventFilter
from app.events.records import EventTable
from app.events.textblocks import MessageColumn, search_text
from tests.osfaults import hard_kill, suspend

pytestmark = pytest.mark.skipif(not scanhelper.available(), reason="the helper needs spawn")
APP = Path(__file__).resolve().parents[2] / "app"

WORDS = ["HRDatabase", "hrdatabase2", "CSV", "import", "im001", "im00x", "Access is", "denied",
         "Zugriff verweigert", "Ünïcode", "東京", "line\nbreak", "export", "ECMA2Host", "cert"]
SEARCHES = [("find", "hrdatabase"), ("find", "denied"), ("find", "東京"), ("find", "zzz-none"),
            ("regex", r"im00\d"), ("regex", "access.*denied"), ("regex", "^csv"), ("regex", "$"),
            ("regex", r"\Aexport"), ("regex", "(?<![\\w-])hrdatabase(?![\\w-])"), ("regex", "e")]


@pytest.fixture(autouse=True)
def small_thresholds(monkeypatch):
    monkeypatch.setattr(scanhelper, "START_AT", 0)


def make_column(rows: int, seed: int = 5) -> MessageColumn:
    rnd = random.Random(seed)
    column = MessageColumn()
    for row in range(rows):
        words = rnd.sample(WORDS, rnd.randint(1, 4))
        column.append(" ".join(words) + (f" #{row}" if rnd.random() < 0.5 else ""))
    column.seal()
    return column


def fed(column: MessageColumn) -> MessageColumn:
    """Start the helper (the first search does) and wait until it has been sent every block it
    is to hold (a feeder thread writes)."""
    helper = column._helper
    if helper.pid is None:
        column.find_rows("zzz-none")
    for _ in range(500):
        if helper._queued and all(helper._delivered.get(i) is b for i, b in helper._queued.items()):
            return column
        time.sleep(0.02)
    raise AssertionError("the helper was not fed within 10 s")


def run(column: MessageColumn, kind: str, text: str, rows=None) -> list[int]:
    if kind == "find":
        return column.find_rows(text, rows)
    return column.search_rows(re.compile(text, re.M), rows)


def plain(messages: list[str], kind: str, text: str, rows=None) -> list[int]:
    rows = range(len(messages)) if rows is None else rows
    if kind == "find":
        return [r for r in rows if search_text(text) in search_text(messages[r])]
    pattern = re.compile(text, re.M)
    return [r for r in rows if pattern.search(search_text(messages[r]))]


def test_helper_gives_the_serial_rows():
    column = fed(make_column(30_000))
    messages = list(column)
    candidates = list(range(0, 30_000, 3))  # dense enough that whole blocks are scanned
    sparse = list(range(7, 30_000, 97))  # asked row by row (the handed-over text comes unpacked)
    try:
        for kind, text in SEARCHES:
            for rows in (None, candidates, sparse):
                assert run(column, kind, text, rows) == plain(messages, kind, text, rows), (kind, text)
        assert column._helper.pid is not None and column._helper.answers >= len(SEARCHES)
        assert not column._helper.failed
    finally:
        column.close_search_helper()


def test_handed_over_text_is_not_kept_twice():
    column = fed(make_column(30_000))
    messages = list(column)
    try:
        helper = column._helper
        theirs = [i for i, b in enumerate(column._blocks) if helper._delivered.get(i) is b]
        assert theirs and len(theirs) < len(column._blocks)
        assert not any(column._blocks[i].held for i in theirs)  # our copy went to the helper
        assert all(b.held for i, b in enumerate(column._blocks) if i not in theirs)
        ours, its = helper._load
        assert abs(ours - its) <= max(b.search_bytes() for b in column._blocks)  # about half each
        assert list(column.lowered()) == [search_text(m) for m in messages]  # sorting still works
        assert column.lowered()[len(messages) - 1] == search_text(messages[-1])
        sparse = list(range(11, 30_000, 301))  # a few rows a block: those messages are asked
        answers = helper.answers
        for kind, text in SEARCHES:
            assert run(column, kind, text, sparse) == plain(messages, kind, text, sparse), (kind, text)
        assert helper.answers == answers + len(SEARCHES)  # checked by the helper, not unpacked here
        assert not any(column._blocks[i].held for i in theirs)  # ... without taking it back
    finally:
        column.close_search_helper()


def test_dead_helper_falls_back_to_the_same_rows():
    column = fed(make_column(20_000))
    messages = list(column)
    try:
        assert run(column, "find", "denied") == plain(messages, "find", "denied")
        pid = column._helper.pid
        assert pid is not None
        hard_kill(pid)
        time.sleep(0.1)
        sparse = list(range(5, 20_000, 211))
        for kind, text in SEARCHES:
            assert run(column, kind, text, sparse) == plain(messages, kind, text, sparse), (kind, text)
            assert run(column, kind, text) == plain(messages, kind, text), (kind, text)
        assert column._helper.failed and column._helper.pid is None  # and no new start after it
        assert all(b.held for b in column._blocks)  # the handed-over text was rebuilt here
    finally:
        column.close_search_helper()


def test_helper_that_does_not_answer_is_given_up(monkeypatch):
    monkeypatch.setattr(scanhelper, "FLOOR", 0.05)
    monkeypatch.setattr(scanhelper, "PATIENCE", 0.0)
    column = fed(make_column(20_000))
    messages = list(column)
    try:
        run(column, "find", "csv")
        assert column._helper.answers == 1
        pid = column._helper.pid
        suspend(pid)  # alive but silent
        assert run(column, "regex", r"im00\d") == plain(messages, "regex", r"im00\d")
        assert column._helper.failed and column._helper.pid is None
        for _ in range(50):  # the stopped helper was ended, not left behind
            if liveness.probe(pid).running is False:
                break
            time.sleep(0.02)
        assert liveness.probe(pid).running is False
    finally:
        column.close_search_helper()


def test_helper_answering_garbage_is_given_up():
    column = fed(make_column(30_000))
    messages = list(column)
    try:
        helper = column._helper
        theirs = [i for i, b in enumerate(column._blocks) if helper._delivered.get(i) is b]
        assert len(theirs) >= 2
        # a stray request: its answer (one count, no numbers) is read as the next search's
        helper._outbox.put((("find", "zzz-none"), array("I", theirs[:1]).tobytes()))
        assert run(column, "find", "denied") == plain(messages, "find", "denied")
        assert helper.failed and helper.pid is None and helper.answers == 0
        for kind, text in SEARCHES:
            assert run(column, kind, text) == plain(messages, kind, text), (kind, text)
    finally:
        column.close_search_helper()


def test_rows_added_later_are_fed_or_searched_here():
    column = fed(make_column(12_000))
    try:
        run(column, "find", "csv")
        started_pid = column._helper.pid
        for row in range(250):  # follow mode: a few rows at a time, merged into one small block
            column.append(f"HRDatabase late {row}")
            if row % 7 == 0:
                column.seal()
        column.seal()
        messages = list(column)
        for kind, text in SEARCHES + [("find", "late")]:  # some blocks maybe not delivered yet
            assert run(column, kind, text) == plain(messages, kind, text), (kind, text)
        fed(column)
        last = len(column._blocks) - 1
        assert last % 2 == 1 and column._helper._delivered[last] is column._blocks[last]
        answers = column._helper.answers
        assert run(column, "find", "late") == plain(messages, "find", "late")
        assert column._helper.answers == answers + 1  # the merged last block is the helper's
        assert column._helper.pid == started_pid
        assert not column._helper.failed
    finally:
        column.close_search_helper()


def test_helper_is_spawned_never_forked():
    column = make_column(5_000)
    try:
        assert column._helper._process is None  # not while loading: the first search starts it
        run(column, "find", "csv")
        assert column._helper._process is not None
        assert column._helper._process._start_method == "spawn"  # type: ignore[attr-defined]
    finally:
        column.close_search_helper()


def test_app_never_forks():
    """No fork() from a process that may run threads (a lock held at fork time stays held in the
    child): helper processes are spawned."""
    offenders = []
    for path in APP.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        if re.search(r"os\.fork\(|get_context\([\"']fork", text):
            offenders.append(str(path))
    assert offenders == []


def test_closed_helper_comes_back_for_a_big_column():
    column = fed(make_column(10_000))
    messages = list(column)
    try:
        first = column._helper.pid
        column.close_search_helper()
        assert column._helper.pid is None
        assert run(column, "find", "csv") == plain(messages, "find", "csv")  # restarts, scans here
        assert column._helper.pid not in (None, first)
        fed(column)
        assert run(column, "find", "denied") == plain(messages, "find", "denied")
        assert column._helper.answers >= 1
    finally:
        column.close_search_helper()


def test_filters_use_the_helper_with_identical_results():
    table = EventTable()
    rnd = random.Random(7)
    for row in range(20_000):
        table.append((1_700_000_000 + row) * 10_000_000, rnd.choice([2, 3, 4]), rnd.choice(["ECMA2Host", "ConnectorsLog"]),
                     rnd.choice([1000, 4625]), None, row, "host", "ECMA2Host",
                     " ".join(rnd.sample(WORDS, 3)))
    table.lowered_messages()
    fed(table.messages)
    cases = [EventFilter(connector="HRDatabase"), EventFilter(text="Access.*denied", regex=True),
             EventFilter(text="denied", max_rank=3), EventFilter(text="csv", event_ids=frozenset({4625}))]
    try:
        with_helper = [f.apply(table) for f in cases]
        assert table.messages._helper.answers > 0
        table.messages.close_search_helper()
        table.messages._helper.failed = True
        assert [f.apply(table) for f in cases] == with_helper
    finally:
        table.messages.close_search_helper()


def test_dropping_the_column_ends_its_helper():
    column = make_column(10_000)
    run(column, "find", "csv")
    process = column._helper._process
    assert process.is_alive()
    del column
    gc.collect()
    process.join(2)
    assert not process.is_alive()


def test_no_helper_without_spawn(monkeypatch):
    monkeypatch.setattr(scanhelper, "available", lambda: False)
    column = make_column(10_000)
    messages = list(column)
    assert run(column, "find", "csv") == plain(messages, "find", "csv")
    assert column._helper.pid is None and column._helper.failed
