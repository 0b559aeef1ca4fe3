"""Columns of one event from the `evtx` package's JSON rendering (`records_json()`).

JSON, decoded by orjson (C), and not the XML rendering: re-measured this round over the corpus logs
repeated to 300,000 records (CPU per record): `records()` 3.5-4.5 us against `records_json()`
4.5-5.7 us on the Rust side, but reading the XML in Python is dearer than that difference
(eventxml.columns_from, lxml: 55 us a record against row_from_json's 10.6 us, decoding included).
A regular expression checking a record's whole JSON text and picking its fields out (tried, to
skip decoding) took 12.7 us a record, sre being slow over a kilobyte of text; msgspec decoding into
typed structures saved under 10% (its decode alone 4.7 us against orjson's 3.7 us) and was not
worth a new dependency; joining the named Data with map/zip or a cached format string instead of
one f-string a value was slower (3.6-3.7 vs 2.7-2.9 us).

The shape varies (measured on the logs in tests/data/evtx): EventID is an int or {"#attributes":
{"Qualifiers"}, "#text"}; unnamed Data is {"#text": [...]} or a string; named Data becomes keys of
EventData; forwarded logs carry strings instead of ints. `row_from_json` reads the usual shapes
directly (named Data, unnamed Data with or without Binary, no EventData, EventID with
Qualifiers: 84-90% of the records of the test and corpus logs) and gives every other record
(UserData, forwarded events' RenderingInfo, odd values) to the careful path (`_row_of`,
`message_of`), which it equals on every shape (tests/events/test_eventjson_shapes.py). Anything
odd degrades to None, never to an exception.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import orjson

from app.events.records import NO_TIME, UNKNOWN_LEVEL, parse_time

if TYPE_CHECKING:  # the load's worker processes import this module: lxml stays out of them
    from app.events.eventxml import Columns

_loads = orjson.loads


def _scalar(value: Any) -> str:
    if isinstance(value, bool):  # the XML says true/false; json.loads made it a Python bool
        return "true" if value else "false"
    return str(value)


def _text(value: Any) -> str:
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, list):
        return "\n".join(_scalar(v) for v in value if v not in (None, ""))
    return "" if value is None else _scalar(value).strip()


def _num(value: Any) -> int | None:
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except (TypeError, ValueError):
        return None


_PLAIN = {str, int}  # not bool: the XML says true/false (_scalar)


def _plain_pairs(obj: dict[str, Any], skip: tuple[str, ...]) -> list[str] | None:
    """The usual named EventData, every value a string or a number, as `name=value` lines (what
    _text would give: str(number) has nothing to strip); None for any other shape. One
    comprehension of f-strings: half the time of map("{}={}".format, ...) over the corpus (3.8 vs
    6.7 us a record, measured)."""
    if obj.keys().isdisjoint(skip) and set(map(type, obj.values())) <= _PLAIN:
        return [f"{k}={v.strip() if v.__class__ is str else v}" for k, v in obj.items()]
    return None


def _pairs(obj: dict[str, Any], parts: list[str], skip: tuple[str, ...] = ("#attributes",)) -> None:
    plain = _plain_pairs(obj, skip)
    if plain is not None:
        parts.extend(plain)
        return
    for key, value in obj.items():
        if key in skip:
            continue
        kind = value.__class__
        if kind is str:  # most named Data: what _text gives, without its calls
            parts.append(f"{key}={value.strip()}")
        elif kind is int:
            parts.append(f"{key}={value}")
        elif kind is dict and "#text" not in value:
            _pairs(value, parts)
        else:
            parts.append(f"{key}={_text(value)}")


def _data_items(data: Any, parts: list[str]) -> None:
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict):
            name = _attributes(item).get("Name")
            if name is not None:
                parts.append(f"{name}={_text(item.get('#text'))}")
                continue
        text = _text(item)
        if text:
            parts.append(text)


_NOT_PAIRS = ("Data", "#attributes", "Binary")


def _attributes(obj: dict[str, Any]) -> dict[str, Any]:
    """An element's attributes; {} when there are none (or, in a damaged record, not a dict)."""
    attributes = obj.get("#attributes")
    return attributes if isinstance(attributes, dict) else {}


def message_of(event: dict[str, Any]) -> str:
    """The message column of a decoded event: RenderingInfo's Message when a forwarded log has one,
    else the Data values (named ones as 'Name=value'), one a line."""
    rendering = event.get("RenderingInfo")
    if isinstance(rendering, dict) and rendering.get("Message"):
        return _text(rendering["Message"])
    data = event.get("EventData")
    parts: list[str] = []
    if isinstance(data, dict):
        if "Data" in data:
            _data_items(data["Data"], parts)
        _pairs(data, parts, _NOT_PAIRS)
        if not parts and data.get("Binary"):
            parts.append(f"Binary={_text(data['Binary'])}")
    elif data is not None:
        text = _text(data)
        if text:
            parts.append(text)
    else:
        user = event.get("UserData")
        if isinstance(user, dict):
            _pairs(user, parts)
    return parts[0] if len(parts) == 1 else "\n".join(parts)


# (time, level, provider, event_id, qualifiers, record_id, computer, channel, message)
Row = tuple[int, int, "str | None", "int | None", "int | None", "int | None", "str | None", "str | None", str]
_EMPTY: Row = (NO_TIME, UNKNOWN_LEVEL, None, None, None, None, None, None, "")


def _event(text: str) -> dict[str, Any] | None:
    # orjson decodes a record in a third of json.loads' time (measured: 4.6 vs 11.6 us a record),
    # and decoding was half the load. It refuses a few texts json reads (lone surrogates, NaN):
    # those go to json.loads, so they read as before. (It would read an integer past 64 bits as
    # a float; the parser's numbers are the record's own, at most 64 bits.)
    try:
        value = orjson.loads(text)
    except orjson.JSONDecodeError:
        try:
            value = json.loads(text)
        except (ValueError, TypeError):
            return None
    if not isinstance(value, dict):
        return None
    event = value.get("Event")
    return event if isinstance(event, dict) else {}  # a damaged record may hold anything


def _name(value: Any) -> str | None:
    if value.__class__ is str:  # the usual case, as _text would give it
        return value.strip() or None
    return _text(value) or None if value is not None else None


def row_from_json(text: str) -> Row:
    """The columns of one record, as a tuple in EventTable.append's order."""
    # The shape nearly every record has (numbers as numbers, names as strings): read directly,
    # a third of the per-record Python time; anything else takes the careful path below. A text
    # orjson refuses goes to _careful_row (json.loads), which reads it as before.
    try:
        event = _loads(text)["Event"]
        system = event["System"]
        name = system["Provider"]["#attributes"]["Name"]
        event_id, level, record_id = system["EventID"], system["Level"], system["EventRecordID"]
        created = system["TimeCreated"]["#attributes"]["SystemTime"]
        computer, channel = system["Computer"], system["Channel"]
    except (orjson.JSONDecodeError, KeyError, TypeError, IndexError):
        return _careful_row(text)
    if not (level.__class__ is int and record_id.__class__ is int and name.__class__ is str
            and created.__class__ is str and computer.__class__ is str
            and channel.__class__ is str):
        return _row_of(event)
    if event_id.__class__ is int:
        qualifiers = None
    elif event_id.__class__ is dict:  # {"#attributes": {"Qualifiers"}, "#text"}: as _row_of reads it
        qualifiers = _num(_attributes(event_id).get("Qualifiers"))
        event_id = _num(event_id)
    else:
        return _row_of(event)
    data = event.get("EventData")
    # named Data, the usual EventData: message_of's lines without its other calls
    plain = _plain_pairs(data, _NOT_PAIRS) if data.__class__ is dict and "RenderingInfo" not in event else None
    message = "\n".join(plain) if plain is not None else _data_message(event, data)
    return (_ticks(created), level, name, event_id, qualifiers, record_id,
            computer.strip() or None, channel.strip() or None, message)


def _data_message(event: dict[str, Any], data: Any) -> str:
    """message_of for unnamed Data ({"Data": {"#text": [...] or "..."}}, with or without Binary:
    the System log's shape) and for no EventData at all, without its calls; every other shape is
    message_of's."""
    if "RenderingInfo" in event:
        return message_of(event)
    if data.__class__ is dict and "Data" in data and len(data) <= 1 + ("Binary" in data):
        item = data["Data"]
        if item.__class__ is dict and len(item) == 1:
            value = item.get("#text")
            text = None
            if value.__class__ is list and set(map(type, value)) <= _STRING:
                text = "\n".join(filter(None, value))  # the non-empty ones, as written
            elif value.__class__ is str:
                text = value.strip()
            if text or (text is not None and "Binary" not in data):
                return text  # an empty Data with a Binary beside it says 'Binary=...': message_of
    elif data is None and "UserData" not in event:
        return ""
    return message_of(event)


_STRING = {str}


def _careful_row(text: str) -> Row:
    """Any text: json.loads reads what orjson refuses (a lone surrogate, NaN)."""
    event = _event(text)
    if event is None:
        return _EMPTY
    return _row_of(event)


_seconds: dict[str, int] = {}  # '2024-05-02T09:15:02' -> its ticks
_SCALE = (0, 1_000_000, 100_000, 10_000, 1000, 100, 10, 1)  # ticks of a fraction's last digit


def _ticks(text: str) -> int:
    """parse_time for the shape the parser writes ('2024-05-02T09:15:02.123456Z', any number of
    ASCII digits): the second from a cache, the fraction's first seven digits added (cut, never
    rounded up, as parse_time does). About a third of parse_time's cost (measured); any other
    text is parse_time's."""
    if text[19:20] == "." and text[-1:] == "Z":
        fraction = text[20:-1]
        if fraction.isdigit() and fraction.isascii():
            second = _seconds.get(text[:19])
            if second is None:
                second = parse_time(text[:19])
                if second == NO_TIME:
                    return NO_TIME
                if len(_seconds) > 100_000:  # bounded: a log spans few seconds per entry
                    _seconds.clear()
                _seconds[text[:19]] = second
            if len(fraction) >= 7:
                return second + int(fraction[:7])
            return second + int(fraction) * _SCALE[len(fraction)]
    return parse_time(text)


def _row_of(event: dict[str, Any]) -> Row:
    """The careful path: every field looked up with a default, every type checked."""
    system = event.get("System")
    if not isinstance(system, dict):
        system = {}
    provider = system.get("Provider")
    name = None
    if isinstance(provider, dict):
        name = _attributes(provider).get("Name")
        name = str(name) if name is not None else None
    event_id = system.get("EventID")
    qualifiers = None
    if isinstance(event_id, dict):
        qualifiers = _num(_attributes(event_id).get("Qualifiers"))
    level = system.get("Level")
    level = level if level.__class__ is int else _num(level)
    created = system.get("TimeCreated")
    time = NO_TIME
    if isinstance(created, dict):
        text = _attributes(created).get("SystemTime")
        time = parse_time(text) if isinstance(text, str) else NO_TIME  # a damaged record: anything
    record_id = system.get("EventRecordID")
    computer, channel = system.get("Computer"), system.get("Channel")
    return (time, UNKNOWN_LEVEL if level is None else level, name,
            event_id if event_id.__class__ is int else _num(event_id), qualifiers,
            record_id if record_id.__class__ is int else _num(record_id),
            _name(computer), _name(channel),
            message_of(event))


def columns_from_json(text: str) -> Columns:
    """The columns of one record as eventxml's Columns (the tests compare both renderings)."""
    from app.events.eventxml import Columns

    cols = Columns()
    (cols.time, cols.level, cols.provider, cols.event_id, cols.qualifiers, cols.record_id,
     cols.computer, cols.channel, cols.message) = row_from_json(text)
    return cols
