"""An .evtx file whose values hold what XML and JSON escape (written by tests/tools/make_evtx.py,
binary XML as Windows writes it): the load's direct reading of each record gives what the careful
path gives, and the text arrives as written."""

from __future__ import annotations

import json
from pathlib import Path

from evtx import PyEvtxParser

from app.events.eventjson import _row_of
from app.events.sources.evtx_file import EvtxFileSource
from tests.tools.make_evtx import evtx_bytes, filetime

HOSTILE = ["&amp; stays &amp;", "<![CDATA[not a section]]>", "smile \U0001F600 and \U00010348",
           'a "quoted" word', "C:\\Windows\\System32\\", "two\nlines", "  padded  ", "", "tab\there",
           "</Data><Data>fake", "\u00a0no-break\u00a0", "Ünïcödé ₠ 中文"]


def _events() -> list[dict]:
    from datetime import UTC, datetime

    when = filetime(datetime(2026, 3, 2, 8, 0, tzinfo=UTC))
    events = []
    for i, text in enumerate(HOSTILE):
        classic = {"provider": "ECMA2Host", "id": 0, "qualifiers": "0", "level": 2, "filetime": when + i,
                   "record": 2 * i + 1, "channel": "ECMA2Host", "computer": "ecma01.contoso.test",
                   "data": [("", text)]}  # the ECMA2Host log's own shape (docs/host-facts.md §5)
        named = {"provider": "Contoso Sync", "id": 4000 + i, "level": 4, "filetime": when + i,
                 "record": 2 * i + 2, "channel": "Application", "computer": " app01 ",
                 "data": [("Text", text), ("Other", f"v{i}"), ("Empty", "")]}
        events += [classic, named]
    return events


def test_hostile_text_reads_as_the_careful_path_reads_it_and_as_written(tmp_path: Path):
    path = tmp_path / "hostile.evtx"
    path.write_bytes(evtx_bytes(_events()))
    table = EvtxFileSource(path, workers=1).load()
    texts = [json.loads(r["data"]) for r in PyEvtxParser(str(path)).records_json()]
    assert len(table) == len(texts) == 2 * len(HOSTILE)
    for row, decoded in enumerate(texts):
        careful = _row_of(decoded["Event"])
        assert (table.times[row], table.levels[row], table.providers[row], table.event_ids[row],
                table.record_ids[row], table.computers[row], table.channels[row],
                table.messages[row]) == (careful[0], careful[1], careful[2], careful[3], careful[5],
                                         careful[6], careful[7], careful[8])
    for i, text in enumerate(HOSTILE):
        assert table.messages[2 * i] == text.strip()  # one unnamed Data: the message, stripped
        assert f"Text={text.strip()}\nOther=v{i}" in table.messages[2 * i + 1]
        assert table.computers[2 * i + 1] == "app01"
    assert "\U0001F600" in table.messages[4] and "&amp;" in table.messages[0]


def test_hostile_text_as_the_parser_escapes_it_takes_the_direct_reading(tmp_path: Path, monkeypatch):
    """The generator writes numbers as strings; Windows' templates make them numbers (the usual
    shape). The same records with typed numbers are read without the careful path, and equal it."""
    import re

    from app.events import eventjson

    path = tmp_path / "hostile.evtx"
    path.write_bytes(evtx_bytes(_events()))
    typed = [re.sub(r'"(Level|EventRecordID|EventID|Qualifiers|#text)":"(\d+)"', r'"\1":\2', r["data"])
             for r in PyEvtxParser(str(path)).records_json()]
    assert any('\\"quoted\\"' in t for t in typed) and any("\U0001F600" in t for t in typed)
    expected = [_row_of(json.loads(t)["Event"]) for t in typed]

    def refuse(*_args: object) -> None:
        raise AssertionError("careful path taken")

    monkeypatch.setattr(eventjson, "message_of", refuse)
    monkeypatch.setattr(eventjson, "_row_of", refuse)
    assert [eventjson.row_from_json(t) for t in typed] == expected
