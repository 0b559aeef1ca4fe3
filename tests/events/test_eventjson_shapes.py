"""row_from_json's direct reading of the usual record shapes equals the careful path on every shape.

The reference is the careful path over json.loads' decoding (`_row_of`, `message_of`,
`parse_time`). Records come from the test logs and from a generator of the shapes the `evtx`
package writes (measured on tests/data/evtx: EventID an int or {Qualifiers, #text}, forwarded
logs' strings for numbers and RenderingInfo, named or unnamed Data, Binary, UserData) plus what
a damaged record could hold.
"""

from __future__ import annotations

import json
import random

import orjson
import pytest
from evtx import PyEvtxParser

from app.events import eventjson
from app.events.eventjson import _row_of, _ticks, row_from_json
from app.events.records import NO_TIME, UNKNOWN_LEVEL, parse_time
from tests.conftest import DATA

EVTX = DATA / "evtx"


def careful(text: str) -> tuple:
    """What the careful path alone gives for a text json.loads reads."""
    value = json.loads(text)
    event = value.get("Event") if isinstance(value, dict) else None
    return _row_of(event if isinstance(event, dict) else {})


def test_every_record_of_the_test_logs_reads_as_the_careful_path_reads_it():
    records = 0
    for path in sorted(EVTX.glob("*.evtx")):
        try:
            for rec in PyEvtxParser(str(path)).records_json():
                assert row_from_json(rec["data"]) == careful(rec["data"]), (path.name, rec["data"][:300])
                records += 1
        except RuntimeError:
            assert "corrupt" in path.name  # the damaged sample ends the whole-file iterator
    assert records > 4000


def test_the_usual_shapes_never_take_the_careful_path(monkeypatch):
    """The speed of a load rests on this: named Data, unnamed Data with Binary beside it, no
    EventData and EventID with Qualifiers are read without message_of or _row_of."""
    def refuse(*_args):
        raise AssertionError("careful path taken")

    texts = [rec["data"] for name in ("security.evtx", "system.evtx", "application-named-data.evtx")
             for rec in PyEvtxParser(str(EVTX / name)).records_json()]
    expected = [row_from_json(t) for t in texts]
    monkeypatch.setattr(eventjson, "message_of", refuse)
    monkeypatch.setattr(eventjson, "_row_of", refuse)
    quick = 0
    for text, row in zip(texts, expected, strict=True):
        try:
            assert row_from_json(text) == row
            quick += 1
        except AssertionError as exc:
            assert "careful path taken" in str(exc)
    assert quick / len(texts) > 0.85  # 90% measured (UserData and odd Data take the careful path)


# --- generated records ---------------------------------------------------------------------------

STRINGS = ["", " ", "x", " padded ", "line\nbreak", "tab\tend\t", "&amp; &lt;b&gt;", "<![CDATA[raw]]>",
           "quote \" and back\\slash", "smile \U0001F600 outside the BMP", "\u00a0nbsp\u00a0",
           "\u2003em space", "C:\\Windows\\System32", "{GUID-0000}", "Ünïcödé", "0x80000000000000"]
NUMBERS = [0, 1, 4624, -1, 255, 256, 2**63 - 1, 2**63, 2**64 - 1]


def _any(rnd: random.Random, depth: int = 0) -> object:
    kind = rnd.randrange(9 if depth < 2 else 6)
    if kind == 0:
        return rnd.choice(STRINGS)
    if kind == 1:
        return rnd.choice(NUMBERS)
    if kind == 2:
        return rnd.choice([True, False])
    if kind == 3:
        return None
    if kind == 4:
        return rnd.choice([1.5, -0.0, 1e20])
    if kind == 5:
        return str(rnd.choice(NUMBERS))
    if kind == 6:
        return [_any(rnd, depth + 1) for _ in range(rnd.randrange(4))]
    if kind == 7:
        return {"#text": _any(rnd, depth + 1)}
    return {rnd.choice(["A", "#attributes", "Name", "#text"]): _any(rnd, depth + 1)}


def _time(rnd: random.Random) -> object:
    return rnd.choice([
        "2024-05-02T09:15:02.1234567Z", "2024-05-02T09:15:02.123456789Z", "2021-11-19T16:52:33.833733Z",
        "2024-05-02T09:15:02.1Z", "2024-05-02T09:15:02Z", "2024-05-02T09:15:02.1234567",
        "2024-05-02 09:15:02.1234567 UTC", "1601-01-01T00:00:00.0000000Z", "2024-13-45T99:99:99.0Z",
        "2024-05-02T09:15:02.\u0663\u0663Z", "2024-05-02T09:15:02.12\u00b2Z", "2024-05-02T09:15:02.Z",
        "garbage", "", None, 5, "2024-05-02T09:15:02.12345678901234Z", "2024-05-02T09:15:02.+123Z",
        "+024-05-02T09:15:02.1Z", "2024-05-02T09:15:0 .1234567Z"])


def _system(rnd: random.Random) -> dict:
    number = lambda: rnd.choice([rnd.choice(NUMBERS), str(rnd.choice(NUMBERS)), " 7 ", "x", None])  # noqa: E731
    event_id: object = rnd.choice([4624, 7036, number()])
    if rnd.random() < 0.3:
        event_id = {"#attributes": {"Qualifiers": number()}, "#text": number()}
    system = {
        "Provider": rnd.choice([{"#attributes": {"Name": rnd.choice(["Microsoft-Windows-Security-Auditing",
                                                                      " Spaced ", "", "Ünï"]),
                                                 "Guid": "{54849625-5478-4994-A5BA-3E3B0328C30D}"}},
                                {"#attributes": {"Name": None}}, {"#attributes": {"Name": 5}}, {}, "x"]),
        "EventID": event_id, "Version": 2,
        "Level": rnd.choice([0, 4, 2, "4", " 2 ", True, None, 300, -5, "x"]),
        "Task": 12544, "Opcode": 0, "Keywords": "0x8020000000000000",
        "TimeCreated": {"#attributes": {"SystemTime": _time(rnd)}},
        "EventRecordID": rnd.choice([1, 2**63 - 1, 2**64 - 1, "12", None, True]),
        "Correlation": rnd.choice([None, {"#attributes": {"ActivityID": "{A}"}}]),
        "Execution": {"#attributes": {"ProcessID": 4, "ThreadID": 8}},
        "Channel": rnd.choice(["Security", " System ", "", None, 5, "Application"]),
        "Computer": rnd.choice(["dc01.contoso.com", "  ", "WEC.ave.local", None, ["x"]]),
        "Security": rnd.choice([None, {"#attributes": {"UserID": "S-1-5-18"}}]),
    }
    if rnd.random() < 0.7:  # most records: the usual System, so the direct reading is what is tested
        system.update({"Provider": {"#attributes": {"Name": rnd.choice(["Microsoft-Windows-Security-Auditing",
                                                                        " Spaced ", "", "Ünï"])}},
                       "Level": rnd.choice([0, 2, 4, 300, -5]), "EventRecordID": rnd.choice([1, 2**64 - 1]),
                       "TimeCreated": {"#attributes": {"SystemTime": str(_time(rnd))}},
                       "Channel": rnd.choice(["Security", " System ", ""]),
                       "Computer": rnd.choice(["dc01.contoso.com", "  ", "WEC.ave.local"])})
        if not isinstance(event_id, dict):
            system["EventID"] = rnd.choice([4624, 7036, 0, 2**63])
    else:
        for key in list(system):
            if rnd.random() < 0.1:
                del system[key]
    return system


def _named(rnd: random.Random, odd: float) -> dict:
    data: dict = {}
    for i in range(rnd.randrange(6)):
        data[rnd.choice(["SubjectUserSid", "LogonType", "Path", f"param{i}", "Ünï", "Data", "Binary",
                         "#attributes"]) if rnd.random() < odd else f"Field{i}"] = \
            _any(rnd) if rnd.random() < odd else rnd.choice([rnd.choice(STRINGS), rnd.choice(NUMBERS)])
    return data


def _record(rnd: random.Random) -> dict:
    event: dict = {"#attributes": {"xmlns": "http://schemas.microsoft.com/win/2004/08/events/event"},
                   "System": _system(rnd)}
    odd = rnd.choice([0.0, 0.0, 0.2, 0.6])
    shape = rnd.randrange(8)
    if shape == 0:
        event["EventData"] = _named(rnd, odd)
    elif shape == 1:
        texts = [rnd.choice(STRINGS) for _ in range(rnd.randrange(5))]
        if rnd.random() < odd:
            texts.append(_any(rnd))
        data: dict = {"Data": {"#text": texts if rnd.random() < 0.8 else rnd.choice(STRINGS)}}
        if rnd.random() < 0.5:
            data["Binary"] = rnd.choice([None, "", "E2070100", 5])
        if rnd.random() < odd:
            data["Data"]["#attributes"] = {"Name": "K"}
        event["EventData"] = data
    elif shape == 2:
        event["EventData"] = None
    elif shape == 3:
        event["UserData"] = {"EventXML": {"#attributes": {"xmlns": "x"}, **_named(rnd, odd)}}
    elif shape == 4:
        event["EventData"] = _any(rnd)
    elif shape == 5:
        event["EventData"] = {"Data": [{"#attributes": {"Name": "K"}, "#text": rnd.choice(STRINGS)},
                                       {"#text": rnd.choice(STRINGS)}]}
    if rnd.random() < 0.1:  # a forwarded event
        event["RenderingInfo"] = {"#attributes": {"Culture": "en-US"},
                                  "Message": rnd.choice(STRINGS + [None, {"#text": "m"}])}
    return {"Event": event}


@pytest.mark.parametrize("seed", range(4))
def test_generated_records_of_every_shape_read_as_the_careful_path_reads_them(seed):
    rnd = random.Random(seed)
    for _ in range(2500):
        record = _record(rnd)
        # compact as the parser writes it, and spaced (json.dumps): the text does not matter
        for text in (orjson.dumps(record).decode(), json.dumps(record, ensure_ascii=rnd.random() < 0.5)):
            assert row_from_json(text) == careful(text), text


def test_texts_orjson_refuses_or_that_hold_no_event_give_a_row_not_an_exception():
    lone = row_from_json('{"Event": {"System": {"Channel": "App"}, "EventData": {"Data": "a\\udc80b"}}}')
    assert (lone[7], lone[8]) == ("App", "a\udc80b")
    nan = row_from_json('{"Event": {"System": {"Level": NaN, "Channel": "App"}}}')
    assert nan[1] == UNKNOWN_LEVEL and nan[7] == "App"
    empty = (NO_TIME, UNKNOWN_LEVEL, None, None, None, None, None, None, "")
    for text in ("not json", "[1]", '"Event"', '{"Event": [1]}', '{"Event": "x"}', '{"Event": {"System": "x"}}',
                 '{"Event": {"System": {"Provider": {"#attributes": [1]}}}}', '{"Other": {}}', "{}"):
        assert row_from_json(text) == empty, text


def test_quick_time_equals_parse_time():
    rnd = random.Random(7)
    samples = [_time(rnd) for _ in range(400)]
    samples += [f"2024-0{m}-1{d}T0{h}:1{s}:2{s}.{'1234567890'[:n]}Z" for m in range(1, 10)
                for d in range(3) for h in range(3) for s in range(2) for n in range(0, 11)]
    for text in samples:
        if isinstance(text, str):
            assert _ticks(text) == parse_time(text), text
            assert _ticks(text) == parse_time(text), text  # the second read comes from the cache
