"""Sources: .evtx (tests/data/evtx), XML dumps, zips; bad input gives one UserError sentence naming the file."""

from __future__ import annotations

import io
import json
import shutil
import zipfile
from pathlib import Path

import pytest

from app.errors import UserError
from app.events.records import ERROR, NO_TIME, EventTable, parse_time
from app.events.sources.base import open_source
from app.events.sources.evtx_file import CHUNK_SIZE, EvtxFileSource
from app.events.sources.xml_dump import XmlDumpSource
from app.events.sources.zip_bundle import ZipBundleSource
from tests.conftest import DATA, shared_corpus_file
from tests.events.sample import event_xml, sample_events, write_sample

EVTX = DATA / "evtx"
COUNTS = {  # tests/data/evtx: the evtx project's samples and our generated logs
    "system.evtx": 1881, "security.evtx": 2261, "MSExchange_Management_wec.evtx": 1,
    "application-named-data.evtx": 200, "security-dense.evtx": 300, "powershell-large-records.evtx": 16,
}
SHARED_COUNTS = {  # real logs we may not ship (hayabusa samples), read when at hand
    "many-events-application.evtx": 2216, "smb-password-guessing-security.evtx": 3561,
    "Powershell-Invoke-Obfuscation-many.evtx": 302,
}


@pytest.fixture
def sample_log(tmp_path) -> Path:
    return write_sample(tmp_path / "ECMA2Host.xml")


@pytest.mark.parametrize("name,count", sorted(COUNTS.items()))
def test_evtx_reads_every_record(name, count):
    source = open_source(EVTX / name)
    table = source.load()
    assert len(table) == count
    assert source.report.records_lost == 0 and not source.report.warnings
    assert all(p for p in table.providers)


@pytest.mark.parametrize("name,count", sorted(SHARED_COUNTS.items()))
def test_real_evtx_reads_every_record(name, count):
    source = open_source(shared_corpus_file(f"evtx/{name}"))
    table = source.load()
    assert len(table) == count
    assert source.report.records_lost == 0 and not source.report.warnings
    assert all(p for p in table.providers)


def test_generated_logs_keep_their_shapes():
    """Named Data (one empty) and a FILETIME 0, as in a real Application log; big records."""
    app = open_source(EVTX / "application-named-data.evtx").load()
    assert min(app.times) == parse_time("1601-01-01T00:00:00.0000000Z")
    assert "Job=job-1\nResult=retry" in app.messages[1] and app.messages[0].startswith("ContosoBackup ")
    assert any(m.endswith("Detail=") for m in app.messages)
    assert len(set(app.providers)) == 10
    big = open_source(EVTX / "powershell-large-records.evtx").load()
    assert min(len(m) for m in big.messages) > 3000


def test_security_evtx_with_forbidden_characters_renders_details():
    table = open_source(EVTX / "security.evtx").load()
    from app.events.eventxml import pretty_xml

    for row in (0, 1000, len(table) - 1):
        record = table.record(row)
        assert record.xml and "<Event" in record.xml
        assert pretty_xml(record.xml).startswith("<Event")


def test_forwarded_log_strings_and_qualifiers():
    record = open_source(EVTX / "MSExchange_Management_wec.evtx").load().record(0)
    assert record.provider == "MSExchange CmdletLogs"
    assert record.event_id == 1 and record.qualifiers == 16384
    assert record.record_id == 3229  # the forwarded event's own id, not the collector's
    assert record.time.isoformat().startswith("2021-11-19T16:52:33.8337")
    assert record.message.startswith("Set-Mailbox\n")


def test_named_data_becomes_name_value():
    table = open_source(EVTX / "security.evtx").load()
    assert any(m.startswith("SubjectUserSid=S-1-5-18") for m in table.messages)


def test_filetime_zero_is_1601():
    from app.events.records import format_local, to_datetime

    epoch = parse_time("1601-01-01T00:00:00.0000000Z")
    assert to_datetime(epoch).year == 1601
    assert format_local(epoch).startswith(("1601", "1600"))


def test_damaged_evtx_keeps_going_and_counts_losses():
    source = open_source(EVTX / "corrupt_bad_chunk_magic.evtx")
    table = source.load()
    assert len(table) == 270
    assert 200 <= source.report.records_lost <= 400
    assert "damaged" in source.report.warnings[0]


def test_evtx_follow_sees_appended_chunks(tmp_path):
    data = (EVTX / "system.evtx").read_bytes()
    target = tmp_path / "growing.evtx"
    target.write_bytes(data[:4096 + 3 * CHUNK_SIZE])
    source = EvtxFileSource(target, workers=1)
    first = source.load()
    assert source.read_new().__len__() == 0
    target.write_bytes(data[:4096 + 5 * CHUNK_SIZE])
    new = source.read_new()
    assert (len(first), len(new)) == (326, 571 - 326)
    assert new.record_ids[0] == first.record_ids[-1] + 1


def test_evtx_parallel_equals_serial(tmp_path, monkeypatch):
    import app.events.sources.evtx_file as ev

    data = (EVTX / "security.evtx").read_bytes()
    monkeypatch.setattr(ev, "PARALLEL_FROM", 8)
    monkeypatch.setattr(ev, "GROUP", 5)
    serial = EvtxFileSource(EVTX / "security.evtx", workers=1).load()
    parallel = EvtxFileSource(EVTX / "security.evtx", workers=2).load()
    assert list(serial.record_ids) == list(parallel.record_ids)
    assert serial.messages == parallel.messages
    assert data  # the file was there to read


def test_sample_dump_reads_all_fields(sample_log):
    source = open_source(sample_log)
    assert isinstance(source, XmlDumpSource)
    table = source.load()
    assert len(table) == len(sample_events())
    rec = table.record(0)
    assert rec.provider == "ECMA2Host" and rec.channel == "ECMA2Host"
    assert rec.event_id == 0 and rec.qualifiers == 0 and rec.record_id == 1
    assert rec.xml.startswith("<Event") and rec.xml.endswith("</Event>")
    assert {"ConnectorsLog", "ECMA2Host"} == set(table.providers)
    assert ERROR in table.levels


def test_wrapped_dump_and_rendered_xml(tmp_path):
    t = sample_events()[0][0]
    ev = event_xml(t, 2, "ConnectorsLog", "raw &amp; data", 9).replace(
        "</EventData>", "</EventData><RenderingInfo Culture='en-US'><Message>Rendered &lt;text&gt;"
        "</Message><Level>Error</Level></RenderingInfo>")
    path = tmp_path / "r.xml"
    path.write_text("<?xml version='1.0' encoding='utf-8'?>\n<Events>\n" + ev + "\n</Events>\n")
    table = open_source(path).load()
    assert len(table) == 1 and table.messages[0] == "Rendered <text>" and table.levels[0] == 2


def test_utf16_dump_from_powershell_redirect(tmp_path, sample_log):
    path = tmp_path / "u16.xml"
    path.write_bytes(sample_log.read_text("utf-8").encode("utf-16"))
    table = open_source(path).load()
    assert len(table) == len(sample_events())
    assert table.record(3).xml.startswith("<Event")


def test_dump_follow_mode(tmp_path):
    events = sample_events()
    path = tmp_path / "grow.xml"
    path.write_text("".join(event_xml(t, 4, p, m, n) for n, (t, _, p, m) in enumerate(events[:10], 1)))
    source = XmlDumpSource(path)
    assert len(source.load()) == 10
    with path.open("a", encoding="utf-8") as fh:
        fh.write(event_xml(events[10][0], 2, "ECMA2Host", "new one", 11)[:200])
    assert len(source.read_new()) == 0  # half an event is not an event yet
    with path.open("a", encoding="utf-8") as fh:
        fh.write(event_xml(events[10][0], 2, "ECMA2Host", "new one", 11)[200:])
    new = source.read_new()
    assert len(new) == 1 and new.messages[0] == "new one"


def test_zip_of_troubleshooting_info(tmp_path, sample_log):
    path = tmp_path / "ECMA2HostTroubleshooting.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.write(sample_log, "Logs/ECMA2Host.xml")
        archive.write(EVTX / "system.evtx", "../../evil/System.evtx")
        archive.writestr("readme.txt", "not a log")
    source = open_source(path)
    assert isinstance(source, ZipBundleSource)
    table = source.load()
    assert len(table) == len(sample_events()) + 1881
    assert table.record(len(table) - 1).xml.startswith("<?xml") or "<Event" in table.record(len(table) - 1).xml
    assert table.record(0).xml.startswith("<Event")
    assert not (tmp_path.parent / "evil").exists()


def test_zip_member_warnings_name_the_zip_and_the_member(tmp_path, sample_log):
    """A damaged log inside a zip is reported as 'zip (member name)', never as our cache copy."""
    path = tmp_path / "ECMA2HostTroubleshooting.zip"
    text = sample_log.read_bytes()
    cut = text[: text.index(b"</Event>", 5000) + 40]  # ends inside the next event
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("Logs/ECMA2Host.xml", cut)
        archive.writestr("Logs/Broken.evtx", b"ElfFile\x00" + b"\x00" * 200)
    source = open_source(path)
    table = source.load()
    assert len(table) > 0
    warnings = source.report.warnings
    assert any(f"{path} (member Logs/ECMA2Host.xml): " in w and "ends inside an event" in w for w in warnings)
    assert any(f"{path} (member Logs/Broken.evtx): " in w and "no event chunks" in w for w in warnings)
    assert not any("zip-logs" in w for w in warnings), warnings


@pytest.mark.parametrize("content,needle", [
    (b"", "empty"),
    (bytes(range(256)) * 20, "not an event log"),
    (b"<Events><Event><System><Provider Name='x'/>", "ends inside an element"),
    (b"<root>hello</root>", "no <Event>"),
    (b"<?xml version='1.0'?><!DOCTYPE x [<!ENTITY e 'boom'>]><Event>&e;</Event>", "DTD"),
    (b"<Event><System><EventID>1</EventID></System></Event", "not well-formed"),
    (b"ElfFile\x00" + b"\x00" * 200, "no event chunks"),
    (b"PK\x03\x04garbage", "zip"),
])
def test_bad_input_is_one_sentence_naming_the_file(tmp_path, content, needle):
    path = tmp_path / "bad.log"
    path.write_bytes(content)
    with pytest.raises(UserError) as info:
        open_source(path).load()
    text = info.value.sentence()
    assert str(path) in text and needle in text and "\n" not in text


def test_folder_and_missing_file(tmp_path):
    with pytest.raises(UserError, match="folder"):
        open_source(tmp_path)
    with pytest.raises(UserError, match="no such file"):
        open_source(tmp_path / "nope.evtx")


def test_one_bad_event_among_good_ones_is_skipped_and_counted(tmp_path):
    events = sample_events()[:3]
    good = [event_xml(t, 4, p, m, n) for n, (t, _, p, m) in enumerate(events, 1)]
    path = tmp_path / "mixed.xml"
    path.write_text(good[0] + "<Event><System><Bad></System></Event>" + good[1] + good[2])
    source = open_source(path)
    table = source.load()
    assert len(table) == 3 and source.report.records_lost == 1
    assert any("skipped" in w for w in source.report.warnings)


def test_record_with_missing_fields_does_not_break(tmp_path):
    path = tmp_path / "bare.xml"
    path.write_text("<Event xmlns='http://schemas.microsoft.com/win/2004/08/events/event'><System>"
                    "<EventRecordID>5</EventRecordID></System><EventData><Data>x</Data></EventData></Event>")
    table = open_source(path).load()
    rec = table.record(0)
    assert rec.provider is None and rec.time is None and rec.record_id == 5
    assert rec.as_json()["time"] is None and rec.as_json()["level"] == "information"


def test_parse_time_variants():
    assert parse_time("2021-11-19T16:53:03.836551Z UTC") == 16373407838365510
    assert parse_time("2024-05-06T07:58:12.1234567Z") == 17149822921234567
    assert parse_time("2024-05-06T07:58:12.12345678Z") == 17149822921234567  # an 8th digit is cut
    assert parse_time("2024-05-06T07:58:12Z") == 17149822920000000
    assert parse_time("1601-01-01T00:00:00.0000000Z") == -116444736000000000  # FILETIME 0
    assert parse_time("yesterday") == NO_TIME and parse_time(None) == NO_TIME


def test_table_extend_and_records():
    a, b = EventTable(), EventTable()
    a.append(10_000_000, 2, "ECMA2Host", 0, 0, 1, "h", "c", "one")
    b.append(NO_TIME, -1, None, None, None, None, None, None, "two")
    a.extend(b)
    assert [r.message for r in a.records()] == ["one", "two"]
    assert a.record(1).event_id is None and a.record(1).time is None
    assert a.lowered_messages() == ["one", "two"]


def test_evtx_from_file_like_copy(tmp_path):
    # a copy with trailing garbage shorter than a chunk still reads every record
    path = tmp_path / "tail.evtx"
    shutil.copy(EVTX / "system.evtx", path)
    with path.open("ab") as fh:
        fh.write(io.BytesIO(b"\x01" * 1000).read())
    source = open_source(path)
    assert len(source.load()) == 1881


def test_dump_ending_exactly_after_an_event_keeps_the_last_batch(tmp_path):
    from tests.events.sample import write_synthetic_dump

    path = write_synthetic_dump(tmp_path / "exact.xml", 3000)  # > the first block, no trailing text
    assert path.read_bytes().endswith(b"</Event>")
    table = open_source(path).load()
    assert len(table) == 3000 and table.record_ids[-1] == 3000


def test_dump_in_worker_processes_equals_serial(tmp_path, monkeypatch):
    import app.events.sources.xml_dump as xd
    from tests.events.sample import write_synthetic_dump

    path = write_synthetic_dump(tmp_path / "par.xml", 6000)
    monkeypatch.setattr(xd, "PARALLEL_FROM", 1)
    monkeypatch.setattr(xd, "BLOCK", 300_000)
    serial = XmlDumpSource(path, workers=1).load()
    parallel_source = XmlDumpSource(path, workers=2)
    parallel = parallel_source.load()
    assert list(parallel.record_ids) == list(serial.record_ids) == list(range(1, 6001))
    assert parallel.messages == serial.messages
    assert parallel.record(5999).xml == serial.record(5999).xml
    assert not parallel_source.report.warnings


def test_dtd_in_a_later_block_is_refused_by_workers(tmp_path, monkeypatch):
    import app.events.sources.xml_dump as xd
    from tests.events.sample import write_synthetic_dump

    path = write_synthetic_dump(tmp_path / "late.xml", 3000)
    with path.open("ab") as fh:
        fh.write(b"<!DOCTYPE x [<!ENTITY e 'boom'>]>")
    monkeypatch.setattr(xd, "PARALLEL_FROM", 1)
    monkeypatch.setattr(xd, "BLOCK", 300_000)
    with pytest.raises(UserError, match="DTD"):
        XmlDumpSource(path, workers=2).load()


def test_json_and_xml_renderings_give_the_same_columns():
    from evtx import PyEvtxParser

    from app.events.eventjson import columns_from_json
    from app.events.eventxml import columns_from

    for name in ("MSExchange_Management_wec.evtx", "security.evtx", "system.evtx", "application-named-data.evtx"):
        path = str(EVTX / name)
        xmls = [r["data"] for r in PyEvtxParser(path).records()]
        jsons = [r["data"] for r in PyEvtxParser(path).records_json()]
        for x, j in zip(xmls, jsons, strict=True):
            a, b = columns_from(x), columns_from_json(j)
            assert (a.provider, a.event_id, a.qualifiers, a.level, a.record_id, a.computer, a.channel) == \
                   (b.provider, b.event_id, b.qualifiers, b.level, b.record_id, b.computer, b.channel)
            assert a.time == b.time or (a.time != a.time and b.time != b.time)
            # the same words; blank lines may differ and the JSON rendering drops empty named Data
            assert [w for w in a.message.split() if not w.endswith("=")] == \
                   [w for w in b.message.split() if not w.endswith("=")]


def test_json_columns_tolerate_odd_shapes():
    from app.events.eventjson import columns_from_json

    cols = columns_from_json('{"Event": {"System": {"EventID": {"#attributes": {"Qualifiers": "16384"}, '
                             '"#text": "7"}, "Level": "2", "EventRecordID": "12"}, '
                             '"EventData": {"Data": {"#text": ["a", "", "b"]}}}}')
    assert (cols.event_id, cols.qualifiers, cols.level, cols.record_id, cols.message) == (7, 16384, 2, 12, "a\nb")
    assert cols.provider is None and cols.time == NO_TIME
    assert columns_from_json("not json").provider is None
    named = columns_from_json('{"Event": {"System": {}, "EventData": {"User": "x", "Data": '
                              '[{"#attributes": {"Name": "K"}, "#text": "v"}]}}}')
    assert named.message == "K=v\nUser=x"


def test_json_columns_read_what_orjson_refuses_as_json_does():
    """orjson refuses a lone surrogate, which json.loads reads: such a record keeps its columns
    instead of coming out empty."""
    from app.events.eventjson import row_from_json

    lone = row_from_json('{"Event": {"System": {"Channel": "App"}, "EventData": {"Data": "a\\udc80b"}}}')
    assert (lone[7], lone[8]) == ("App", "a\udc80b")


def test_the_quick_path_for_the_usual_shape_equals_the_careful_one():
    """row_from_json reads the usual System shape directly; every record of the corpus logs must
    give what the careful path (_row_of) gives for the same decoded event."""
    from evtx import PyEvtxParser

    from app.events.eventjson import _row_of, row_from_json

    quick = 0
    for name in ("MSExchange_Management_wec.evtx", "security.evtx", "system.evtx",
                 "application-named-data.evtx", "security-dense.evtx"):
        for rec in PyEvtxParser(str(EVTX / name)).records_json():
            event = json.loads(rec["data"])["Event"]
            assert row_from_json(rec["data"]) == _row_of(event)
            quick += isinstance(event.get("System", {}).get("EventID"), int)
    assert quick > 1000  # records of the usual shape were among them


def test_the_damage_sentence_never_contradicts_itself():
    from app.events.sources.evtx_file import damage_summary

    assert damage_summary(0, 39) == "About 39 records could not be read."
    assert damage_summary(1, 1) == "1 damaged part skipped; about 1 record could not be read."
    assert damage_summary(2, 280) == "2 damaged parts skipped; about 280 records could not be read."


@pytest.mark.parametrize("name", ["security.evtx", "system.evtx", "application-named-data.evtx",
                                  "MSExchange_Management_wec.evtx", "corrupt_bad_chunk_magic.evtx"])
def test_evtx_chunk_columns_equal_one_record_at_a_time(name):
    """A chunk goes into the columns at once (parse_chunk); a plain loop of columns_from_json and
    EventTable.append over the same records must give the very same table."""
    from evtx import PyEvtxParser

    from app.events.eventjson import columns_from_json
    from app.events.sources.evtx_file import CHUNK_MAGIC, parse_chunk

    data = (EVTX / name).read_bytes()
    header = data[:4096]
    for index, off in enumerate(range(4096, len(data), CHUNK_SIZE)):
        chunk = data[off:off + CHUNK_SIZE]
        fast = EventTable()
        parse_chunk(header, chunk, index, fast)
        plain = EventTable()
        if chunk[:8] == CHUNK_MAGIC:
            records = PyEvtxParser(io.BytesIO(header + chunk), number_of_threads=1).records_json()
            ordinal = 0
            while True:
                try:
                    rec = next(records)
                except StopIteration:
                    break
                except RuntimeError:
                    continue
                c = columns_from_json(rec["data"])
                plain.append(c.time, c.level, c.provider, c.event_id, c.qualifiers,
                             c.record_id if c.record_id is not None else rec.get("event_record_id"),
                             c.computer, c.channel, c.message, (index << 20) | ordinal)
                ordinal += 1
        for column in ("times", "levels", "event_ids", "qualifiers", "record_ids", "locators",
                       "providers", "computers", "channels"):
            assert getattr(fast, column) == getattr(plain, column), (name, index, column)
        assert list(fast.messages) == list(plain.messages)


def test_message_column_extend_seals_like_append():
    from app.events.textblocks import BLOCK_ROWS, MessageColumn

    for sizes in ([5], [BLOCK_ROWS], [BLOCK_ROWS - 1, 1, 3], [3 * BLOCK_ROWS + 7, 100], [10, 2 * BLOCK_ROWS]):
        one, many, n = MessageColumn(), MessageColumn(), 0
        for size in sizes:
            batch = [f"m{n + i % 17}" for i in range(size)]
            n += size
            for m in batch:
                one.append(m)
            many.extend(batch)
            assert [b.rows for b in one._blocks] == [b.rows for b in many._blocks]
            assert len(one) == len(many) and list(one) == list(many)


def _parse_time_one_char_at_a_time(text):
    """parse_time as first written (no minute cache, fraction read a character at a time)."""
    import calendar

    if not text or len(text) < 19:
        return NO_TIME
    try:
        if text[4] != "-" or text[7] != "-":
            return NO_TIME
        base = calendar.timegm((int(text[:4]), int(text[5:7]), int(text[8:10]), 0, 0, 0))
        secs = base + int(text[11:13]) * 3600 + int(text[14:16]) * 60 + int(text[17:19])
        if len(text) > 20 and text[19] == ".":
            end = 20
            while end < len(text) and text[end].isdigit():
                end += 1
            if end > 20:
                digits = text[20:min(end, 27)]
                return secs * 10_000_000 + int(digits) * 10 ** (7 - len(digits))
        return secs * 10_000_000
    except (ValueError, OverflowError):
        return NO_TIME


def test_parse_time_equals_the_plain_version():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    digits = st.text(alphabet="0123456789٣²x", min_size=0, max_size=9)
    stamp = st.builds(lambda d, h, f, tail: f"{d}T{h}.{f}{tail}",
                      st.sampled_from(["2024-05-06", "1601-01-01", "2024-13-01", "2024/05/06", "9999-12-31"]),
                      st.sampled_from(["07:58:12", "23:59:59", "7:58:12 ", "24:00:00", "ab:cd:ef"]),
                      digits, st.sampled_from(["Z", "", "Z UTC", " ", "ZZ"]))

    @settings(max_examples=400, deadline=None)
    @given(st.one_of(stamp, st.text(max_size=30)))
    def check(text):
        assert parse_time(text) == _parse_time_one_char_at_a_time(text), text

    check()
