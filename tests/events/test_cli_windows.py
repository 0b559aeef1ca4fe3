"""The `logs` command end to end, and the live-log source against a fake win32evtlog."""

from __future__ import annotations

import csv
import io
import json
import sys
import types

import pytest

from app.cli import main
from app.events.sources.windows import UnavailableLiveLog, WindowsLiveLog, find_channel, live_source
from tests.events.sample import event_xml, sample_events, write_sample


@pytest.fixture
def log(tmp_path):
    return write_sample(tmp_path / "ECMA2Host.xml")


def test_jsonl_keys_and_level(log, capsys):
    assert main(["logs", str(log), "--level", "error", "--format", "jsonl"]) == 0
    lines = capsys.readouterr().out.splitlines()
    objs = [json.loads(line) for line in lines]
    assert objs and all(o["level"] in ("error", "critical") for o in objs)
    assert list(objs[0]) == ["time", "level", "provider", "event_id", "record_id", "computer",
                             "channel", "message"]
    assert objs[0]["time"].endswith("Z")


def test_count_search_provider_since(log, capsys):
    assert main(["logs", str(log), "--count"]) == 0
    total = int(capsys.readouterr().out)
    assert total == len(sample_events())
    main(["logs", str(log), "--count", "--provider", "ECMA2Host", "--search", "scim"])
    scim = int(capsys.readouterr().out)
    assert 0 < scim < total
    main(["logs", str(log), "--count", "--since", "2024-05-08T00:00:00Z", "--until", "2024-05-08T12:00:00Z"])
    assert 0 < int(capsys.readouterr().out) < total


def test_csv_and_table(log, capsys):
    main(["logs", str(log), "--format", "csv", "--level", "warning"])
    rows = list(csv.reader(io.StringIO(capsys.readouterr().out)))
    assert rows[0][:3] == ["time", "level", "provider"] and len(rows) > 5
    main(["logs", str(log), "--level", "warning"])
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("Time (local)") and "Warning" in out[1] + out[2]


def test_damaged_file_warns_on_stderr_and_exits_0(data, capsys):
    assert main(["logs", str(data / "evtx" / "corrupt_bad_chunk_magic.evtx"), "--count"]) == 0
    captured = capsys.readouterr()
    assert captured.out.strip() == "270"
    assert "damaged" in captured.err and "Traceback" not in captured.err


def test_bad_inputs_exit_2(tmp_path, capsys):
    bad = tmp_path / "x.xml"
    bad.write_text("<not-a-log/>")
    assert main(["logs", str(bad)]) == 2
    assert main(["logs", str(tmp_path)]) == 2
    assert main(["logs", str(tmp_path / "s.xml"), "--since", "never"]) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err and str(bad) in err


@pytest.mark.skipif(sys.platform == "win32", reason="checks the non-Windows message")
def test_live_is_unavailable_here_with_a_reason(capsys):
    source = live_source()
    assert isinstance(source, UnavailableLiveLog) and "Windows" in source.reason
    assert main(["logs", "live"]) == 2
    assert "Windows" in capsys.readouterr().err


def _fake_evtlog(events_xml: list[str], channels=("Application", "ECMA2Host", "System")):
    calls = []

    class Query:
        def __init__(self, items):
            self.items = list(items)

    def EvtQuery(channel, flags, xpath):
        calls.append((channel, flags, xpath))
        items = list(events_xml)
        if flags & mod.EvtQueryReverseDirection:
            items.reverse()
        if "EventRecordID>" in xpath:
            floor = int(xpath.split(">")[1].split("]")[0])
            items = [x for x in items if int(x.split("<EventRecordID>")[1].split("<")[0]) > floor]
        elif "EventRecordID=" in xpath:
            wanted = xpath.split("=")[1].split("]")[0]
            items = [x for x in items if f"<EventRecordID>{wanted}<" in x]
        return Query(items)

    def EvtNext(query, count):
        out, query.items = query.items[:count], query.items[count:]
        return tuple(out)

    names = iter(channels)
    mod = types.SimpleNamespace(
        EvtQueryChannelPath=1, EvtQueryReverseDirection=0x200, EvtRenderEventXml=1,
        EvtOpenChannelEnum=lambda session, flags: "enum",
        EvtNextChannelPath=lambda enum: next(names, None),
        EvtQuery=EvtQuery, EvtNext=EvtNext, EvtRender=lambda handle, flags: handle, calls=calls)
    return mod


def test_windows_source_newest_first_and_follow():
    events = sample_events()[:300]
    xmls = [event_xml(t, 4, p, m, n) for n, (t, _, p, m) in enumerate(events, 1)]
    evt = _fake_evtlog(xmls[:290])
    source = live_source(evt)
    assert isinstance(source, WindowsLiveLog) and source.channel == "ECMA2Host"
    table = source.load()
    assert len(table) == 290 and table.record_ids[0] == 290 and table.record_ids[-1] == 1
    assert evt.calls[0] == ("ECMA2Host", 1 | 0x200, "*")
    assert table.record(5).xml == xmls[284]
    evt2 = _fake_evtlog(xmls)
    source.evt = evt2
    new = source.read_new()
    assert list(new.record_ids) == list(range(291, 301))
    assert source.read_new().__len__() == 0


def test_windows_channel_lookup_by_name():
    assert find_channel(_fake_evtlog([], channels=("Application", "Microsoft-ECMA2Host/Admin"))) == \
        "Microsoft-ECMA2Host/Admin"
    missing = live_source(_fake_evtlog([], channels=("Application",)))
    assert isinstance(missing, UnavailableLiveLog) and "ECMA2Host" in missing.reason
