"""Columns of one event from the `evtx` package's JSON rendering (`records_json()`).

About twice as fast as pattern-matching the XML rendering, because the Rust side builds the
structure and `json.loads` is C. The shape varies (measured on the logs in tests/data/evtx): EventID is an
int or {"#attributes": {"Qualifiers"}, "#text"}; unnamed Data is {"#text": [...]} or a string;
named Data becomes keys of EventData; forwarded logs carry strings instead of ints. Anything odd
degrades to None, never to an exception.
"""

from __future__ import annotations

import json

import orjson

from app.events.eventxml import Columns
from app.events.records import NO_TIME, UNKNOWN_LEVEL, parse_time


def _scalar(value) -> str:
    if isinstance(value, bool):  # the XML says true/false; json.loads made it a Python bool
        return "true" if value else "false"
    return str(value)


def _text(value) -> str:
    if isinstance(value, dict):
        value = value.get("#text")
    if isinstance(value, list):
        return "\n".join(_scalar(v) for v in value if v not in (None, ""))
    return "" if value is None else _scalar(value).strip()


def _num(value) -> int | None:
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


def _pairs(obj: dict, parts: list[str], skip: tuple[str, ...] = ("#attributes",)) -> None:
    if obj.keys().isdisjoint(skip) and set(map(type, obj.values())) <= _PLAIN:
        # the usual named EventData: every value a string or a number; what _text would give
        # (str(number) has nothing to strip). One comprehension of f-strings: half the time of
        # map("{}={}".format, ...) over the corpus (3.8 vs 6.7 us a record, measured)
        parts.extend([f"{k}={v.strip() if v.__class__ is str else v}" for k, v in obj.items()])
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


def _data_items(data, parts: list[str]) -> None:
    items = data if isinstance(data, list) else [data]
    for item in items:
        if isinstance(item, dict):
            name = (item.get("#attributes") or {}).get("Name")
            if name is not None:
                parts.append(f"{name}={_text(item.get('#text'))}")
                continue
        text = _text(item)
        if text:
            parts.append(text)


_NOT_PAIRS = ("Data", "#attributes", "Binary")


def message_of(event: dict) -> str:
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


Row = tuple  # (time, level, provider, event_id, qualifiers, record_id, computer, channel, message)
_EMPTY: Row = (NO_TIME, UNKNOWN_LEVEL, None, None, None, None, None, None, "")


def _event(text: str):
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
    return value.get("Event") or {} if isinstance(value, dict) else None


def _name(value) -> str | None:
    if value.__class__ is str:  # the usual case, as _text would give it
        return value.strip() or None
    return _text(value) or None if value is not None else None


def row_from_json(text: str) -> Row:
    """The columns of one record, as a tuple in EventTable.append's order."""
    event = _event(text)
    if event is None:
        return _EMPTY
    # The shape nearly every record has (numbers as numbers, names as strings): read directly,
    # a third of the per-record Python time; anything else takes the careful path below.
    try:
        system = event["System"]
        name = system["Provider"]["#attributes"]["Name"]
        event_id, level, record_id = system["EventID"], system["Level"], system["EventRecordID"]
        created = system["TimeCreated"]["#attributes"]["SystemTime"]
        computer, channel = system["Computer"], system["Channel"]
    except (KeyError, TypeError, IndexError):
        return _row_of(event)
    if (event_id.__class__ is int and level.__class__ is int and record_id.__class__ is int
            and name.__class__ is str and created.__class__ is str
            and computer.__class__ is str and channel.__class__ is str):
        return (parse_time(created), level, name, event_id, None, record_id,
                computer.strip() or None, channel.strip() or None, message_of(event))
    return _row_of(event)


def _row_of(event: dict) -> Row:
    system = event.get("System") or {}
    provider = system.get("Provider")
    name = None
    if isinstance(provider, dict):
        name = (provider.get("#attributes") or {}).get("Name")
        name = str(name) if name is not None else None
    event_id = system.get("EventID")
    qualifiers = None
    if isinstance(event_id, dict):
        qualifiers = _num((event_id.get("#attributes") or {}).get("Qualifiers"))
    level = system.get("Level")
    level = level if level.__class__ is int else _num(level)
    created = system.get("TimeCreated")
    time = NO_TIME
    if isinstance(created, dict):
        time = parse_time((created.get("#attributes") or {}).get("SystemTime"))
    record_id = system.get("EventRecordID")
    computer, channel = system.get("Computer"), system.get("Channel")
    return (time, UNKNOWN_LEVEL if level is None else level, name,
            event_id if event_id.__class__ is int else _num(event_id), qualifiers,
            record_id if record_id.__class__ is int else _num(record_id),
            _name(computer), _name(channel),
            message_of(event))


def columns_from_json(text: str) -> Columns:
    cols = Columns()
    (cols.time, cols.level, cols.provider, cols.event_id, cols.qualifiers, cols.record_id,
     cols.computer, cols.channel, cols.message) = row_from_json(text)
    return cols
