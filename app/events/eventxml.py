"""Reading one Windows Event XML (as .evtx renders it, as `wevtutil qe /f:xml` writes it).

Two paths. The fast one pulls the columns with regular expressions, because the text is machine
written (fixed element order, no comments, both quote styles) and it runs a million times per load.
The safe one is lxml with entities, DTDs and the network switched off; it handles what the fast
path does not recognise and renders the details pane. Control characters XML 1.0 forbids (seen in
tests/data/evtx/security.evtx: "PCDATA invalid Char value 3") are removed before lxml sees the text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from lxml import etree

from app.events.records import NO_TIME, UNKNOWN_LEVEL, parse_time

EVENT_NS = "http://schemas.microsoft.com/win/2004/08/events/event"

_Q = r"""["']"""
_FIELDS = {
    "provider": re.compile(r"<Provider\b[^>]*?\bName=([\"'])(.*?)\1", re.S),
    "event_id": re.compile(r"<EventID\b([^>]*)>\s*(\d+)\s*</EventID>"),
    "level": re.compile(r"<Level>\s*(\d+)\s*</Level>"),
    "time": re.compile(r"<TimeCreated\b[^>]*?\bSystemTime=([\"'])(.*?)\1"),
    "record_id": re.compile(r"<EventRecordID>\s*(\d+)\s*</EventRecordID>"),
    "channel": re.compile(r"<Channel>([^<]*)</Channel>"),
    "computer": re.compile(r"<Computer>([^<]*)</Computer>"),
}
_QUALIFIERS = re.compile(r"Qualifiers=[\"'](\d+)[\"']")
_DATA = re.compile(r"<Data\b([^>]*?)(?:/>|>(.*?)</Data>)", re.S)
_DATA_NAME = re.compile(r"Name=([\"'])(.*?)\1")
_EVENT_DATA = re.compile(r"<(EventData|UserData)\b[^>]*>(.*?)</\1>", re.S)
_USER_LEAF = re.compile(r"<([\w:.-]+)\b[^>/]*>([^<]*)</\1>")
_RENDERED = re.compile(r"<RenderingInfo\b.*?<Message>(.*?)</Message>", re.S)
_BINARY_ONLY = re.compile(r"<Binary>([^<]*)</Binary>")
_ENTITY = re.compile(r"&(#x[0-9a-fA-F]+|#\d+|lt|gt|amp|quot|apos);")
_BAD_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}


def _entity(match: re.Match[str]) -> str:
    name = match.group(1)
    if name[0] == "#":
        try:
            code = int(name[2:], 16) if name[1] in "xX" else int(name[1:])
            return chr(code)
        except (ValueError, OverflowError):
            return match.group(0)
    return _NAMED[name]


def unescape(text: str) -> str:
    return _ENTITY.sub(_entity, text) if "&" in text else text


@dataclass(slots=True)
class Columns:
    """The table columns of one event, before they go into an EventTable."""

    time: int = NO_TIME
    level: int = UNKNOWN_LEVEL
    provider: str | None = None
    event_id: int | None = None
    qualifiers: int | None = None
    record_id: int | None = None
    computer: str | None = None
    channel: str | None = None
    message: str = ""


def _search(name: str, text: str, end: int) -> re.Match[str] | None:
    return _FIELDS[name].search(text, 0, end)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def message_from(text: str) -> str:
    """RenderingInfo/Message when present, else the Data strings (unnamed joined, named as k=v)."""
    rendered = _RENDERED.search(text)
    if rendered:
        return unescape(rendered.group(1)).strip()
    section = _EVENT_DATA.search(text)
    if not section:
        return ""
    body = section.group(2)
    parts: list[str] = []
    if section.group(1) == "EventData":
        for attrs, value in _DATA.findall(body):
            value = unescape(value.strip()) if value else ""
            name = _DATA_NAME.search(attrs) if attrs else None
            if name:
                parts.append(f"{name.group(2)}={value}")
            elif value:  # empty unnamed strings carry nothing readable
                parts.append(value)
        if not parts:
            binary = _BINARY_ONLY.search(body)
            if binary and binary.group(1).strip():
                parts.append("Binary=" + binary.group(1).strip())
    else:
        parts = [f"{k}={unescape(v.strip())}" for k, v in _USER_LEAF.findall(body)]
    return parts[0] if len(parts) == 1 else "\n".join(parts)


def columns_from(text: str) -> Columns:
    """The fast path: pull the columns of one <Event> by pattern. Missing fields stay None."""
    end = text.find("</System>")
    if end < 0:
        end = len(text)
    cols = Columns()
    m = _search("provider", text, end)
    if m:
        cols.provider = unescape(m.group(2))
    m = _search("event_id", text, end)
    if m:
        cols.event_id = int(m.group(2))
        q = _QUALIFIERS.search(m.group(1)) if m.group(1) else None
        if q:
            cols.qualifiers = int(q.group(1))
    m = _search("level", text, end)
    if m:
        cols.level = int(m.group(1))
    m = _search("time", text, end)
    if m:
        cols.time = parse_time(m.group(2))
    m = _search("record_id", text, end)
    if m:
        cols.record_id = int(m.group(1))
    m = _search("channel", text, end)
    if m:
        cols.channel = unescape(m.group(1).strip()) or None
    m = _search("computer", text, end)
    if m:
        cols.computer = unescape(m.group(1).strip()) or None
    cols.message = message_from(text[end:] if end < len(text) else text)
    return cols


# --- the safe path ------------------------------------------------------------------------------

def safe_parser(*, recover: bool = False) -> etree.XMLParser:
    """No entity expansion, no DTD, no network (house rule for every XML the user hands us)."""
    return etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False,
                           dtd_validation=False, huge_tree=True, recover=recover,
                           remove_blank_text=False)


def clean_text(text: str) -> str:
    return _BAD_CHARS.sub("", text)


def parse_event(text: str, *, recover: bool = True) -> etree._Element | None:
    """lxml tree of one event, or None when even recovery finds nothing."""
    data = clean_text(text)
    if data.startswith("<?xml"):
        data = data[data.find("?>") + 2:]
    try:
        root = etree.fromstring(data.encode("utf-8"), safe_parser(recover=recover))
    except etree.XMLSyntaxError:
        return None
    return root


def pretty_xml(text: str | None) -> str:
    """Indented XML for the details pane; the text as it is when it does not parse."""
    if not text:
        return ""
    root = parse_event(text, recover=False)
    if root is None:
        return text
    etree.indent(root, space="  ")
    return etree.tostring(root, encoding="unicode")


def _local(tag: object) -> str:
    return etree.QName(tag).localname if isinstance(tag, str) else ""


def columns_from_tree(root: etree._Element) -> Columns:
    """The slow path, for events the patterns do not recognise."""
    cols = Columns()
    system = next((el for el in root.iter() if _local(el.tag) == "System"), None)
    if system is not None:
        for el in system:
            name = _local(el.tag)
            text = (el.text or "").strip()
            if name == "Provider":
                cols.provider = el.get("Name")
            elif name == "EventID":
                cols.event_id = _int(text)
                cols.qualifiers = _int(el.get("Qualifiers") or "")
            elif name == "Level":
                level = _int(text)
                cols.level = level if level is not None else UNKNOWN_LEVEL
            elif name == "TimeCreated":
                cols.time = parse_time(el.get("SystemTime"))
            elif name == "EventRecordID":
                cols.record_id = _int(text)
            elif name == "Channel":
                cols.channel = text or None
            elif name == "Computer":
                cols.computer = text or None
    cols.message = message_from(etree.tostring(root, encoding="unicode"))
    return cols
