"""One normalised event record, and the columnar table that holds a million of them.

A record is what every source (.evtx, XML dump, live channel, zip) turns into. Sources fill an
`EventTable` column by column (arrays of numbers, lists of shared strings) instead of one object per
record, so a million rows fit in a few hundred MB and a filter is a tight loop over one column.
Messages are packed in searchable, compressed blocks (textblocks.py). The raw XML of a row is not
kept: the table keeps a locator and asks its source on demand.
"""

from __future__ import annotations

import calendar
from array import array
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from app.events.textblocks import LoweredView, MessageColumn

# docs/host-facts.md §10: Level 1 Critical, 2 Error, 3 Warning, 4 Information, 5 Verbose, 0 LogAlways.
CRITICAL, ERROR, WARNING, INFORMATION, VERBOSE, LOG_ALWAYS = 1, 2, 3, 4, 5, 0
UNKNOWN_LEVEL = -1
LEVEL_NAMES = {CRITICAL: "Critical", ERROR: "Error", WARNING: "Warning", INFORMATION: "Information",
               VERBOSE: "Verbose", LOG_ALWAYS: "Information", UNKNOWN_LEVEL: "Information"}
# The CLI's --level words, mapped to the least severe level they keep.
LEVEL_WORDS = {"critical": CRITICAL, "error": ERROR, "warning": WARNING,
               "information": INFORMATION, "verbose": VERBOSE}

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Times are kept as Windows' own unit, 100 ns ticks (here counted from 1970): a double of epoch
# seconds, or a datetime's microseconds, rounds 23:59:59.9999996 up to midnight, so a row shown
# at 00:00:00 could still pass "--until 00:00:00". Integers compare and sort exactly.
TICKS_PER_SECOND = 10_000_000
NO_TIME = -(1 << 63)  # the smallest int64: "no time" (recovered records)
NO_NUMBER = -1


def severity_rank(level: int) -> int:
    """1 (most severe) .. 5 (verbose); LogAlways and unknown levels rank as Information."""
    return level if 1 <= level <= 5 else INFORMATION


def level_name(level: int) -> str:
    return LEVEL_NAMES.get(level, f"Level {level}")


_day_cache: dict[str, int] = {}
_minute_cache: dict[str, int] = {}  # '2024-05-02T09:15' -> its seconds since 1970


def parse_time(text: str | None) -> int:
    """'2024-05-02T09:15:02.1234567Z' (any fraction length, optional ' UTC') -> ticks since 1970.

    Hand-rolled because it runs a million times per load; NO_TIME when the text is not a timestamp.
    Digits past the seventh (finer than a tick) are cut, never rounded up.
    """
    if not text or len(text) < 19:
        return NO_TIME
    try:
        minute = _minute_cache.get(text[:16])
        if minute is None:
            day = text[:10]
            base = _day_cache.get(day)
            if base is None:
                if text[4] != "-" or text[7] != "-":
                    return NO_TIME
                base = calendar.timegm((int(text[:4]), int(text[5:7]), int(text[8:10]), 0, 0, 0))
                _day_cache[day] = base
            minute = base + int(text[11:13]) * 3600 + int(text[14:16]) * 60
            if len(_minute_cache) > 100_000:  # a log spans few minutes per load; bounded anyway
                _minute_cache.clear()
            _minute_cache[text[:16]] = minute
        secs = minute + int(text[17:19])
        if len(text) > 20 and text[19] == ".":
            if text[-1] == "Z" and text[20:-1].isdigit():  # the usual shape: digits up to the Z
                end = len(text) - 1
            else:
                end = 20
                while end < len(text) and text[end].isdigit():
                    end += 1
            if end > 20:
                digits = text[20:min(end, 27)]
                return secs * TICKS_PER_SECOND + int(digits) * 10 ** (7 - len(digits))
        return secs * TICKS_PER_SECOND
    except (ValueError, OverflowError):
        return NO_TIME


def ticks_from_datetime(when: datetime) -> int:
    """An aware datetime -> ticks since 1970, exactly (no float on the way)."""
    return (when - _EPOCH) // timedelta(microseconds=1) * 10


def to_datetime(ticks: int) -> datetime | None:
    """Ticks -> aware UTC datetime, cut (never rounded up) to the microsecond; works before 1970
    (FILETIME 0 is 1601-01-01)."""
    if ticks == NO_TIME:
        return None
    return _EPOCH + timedelta(microseconds=ticks // 10)


def format_utc(ticks: int) -> str:
    """ISO 8601 UTC with all seven digits of the tick, as Windows writes SystemTime."""
    when = to_datetime(ticks)
    return when.strftime("%Y-%m-%dT%H:%M:%S.%f") + f"{ticks % 10}Z" if when else ""


def format_local(ticks: int) -> str:
    """Shown in local time, kept in UTC."""
    when = to_datetime(ticks)
    if when is None:
        return ""
    try:
        return when.astimezone().strftime("%Y-%m-%d %H:%M:%S")
    except (OverflowError, OSError, ValueError):  # dates the OS cannot localise (year 1601 on Windows)
        return when.strftime("%Y-%m-%d %H:%M:%S UTC")


@dataclass(frozen=True)
class EventRecord:
    """One event, every field optional: recovered records have no provider and no time."""

    time: datetime | None
    level: int
    provider: str | None
    event_id: int | None
    qualifiers: int | None
    record_id: int | None
    computer: str | None
    channel: str | None
    message: str
    xml: str | None = None
    ticks: int = NO_TIME  # the exact time when the record came from a table (time is cut to µs)

    @property
    def level_name(self) -> str:
        return level_name(self.level)

    def as_json(self) -> dict[str, Any]:
        """The CLI's jsonl object (its keys are a stable interface)."""
        if self.ticks != NO_TIME:
            time: str | None = format_utc(self.ticks)
        else:
            time = self.time.strftime("%Y-%m-%dT%H:%M:%S.%fZ") if self.time else None
        return {
            "time": time,
            "level": self.level_name.lower(),
            "provider": self.provider,
            "event_id": self.event_id,
            "record_id": self.record_id,
            "computer": self.computer,
            "channel": self.channel,
            "message": self.message,
        }


def _num(value: int | None) -> int:
    # a damaged record can carry any number (an unsigned 64-bit id, 20 digits in XML); the columns
    # hold signed 64-bit values, so what does not fit reads as "no number" instead of failing
    return value if value is not None and -(1 << 63) <= value < (1 << 63) else NO_NUMBER


def _level(level: int) -> int:
    return level if -1 <= level <= 255 else UNKNOWN_LEVEL


def _opt(value: int) -> int | None:
    return None if value == NO_NUMBER else value


class EventTable:
    """Columns of events. Row i is (times[i], levels[i], providers[i], ...).

    `locators[i]` is the source's key for the raw XML of row i (an offset, a chunk number...);
    `xml_reader(locator, row)` fetches it on demand. Tables from worker processes are pickled
    whole and joined with `extend`.
    """

    def __init__(self) -> None:
        self.times = array("q")  # ticks since 1970, NO_TIME for none
        self.levels = array("h")
        self.event_ids = array("q")
        self.qualifiers = array("q")
        self.record_ids = array("q")
        self.locators = array("q")
        self.providers: list[str | None] = []
        self.computers: list[str | None] = []
        self.channels: list[str | None] = []
        self.messages = MessageColumn()
        self.xml_reader: Callable[[int, int], str | None] | None = None
        # a log names a handful of providers, computers and channels: one string object each
        # instead of one per row (three million strings, ~180 MB, at a million rows)
        self._shared: dict[str | None, str | None] = {}

    def __len__(self) -> int:
        return len(self.levels)

    def append(self, time: int, level: int, provider: str | None, event_id: int | None,
               qualifiers: int | None, record_id: int | None, computer: str | None,
               channel: str | None, message: str, locator: int = NO_NUMBER) -> None:
        self.times.append(time)
        self.levels.append(level if -1 <= level <= 255 else UNKNOWN_LEVEL)
        share = self._shared.setdefault
        self.providers.append(share(provider, provider))
        self.event_ids.append(_num(event_id))
        self.qualifiers.append(_num(qualifiers))
        self.record_ids.append(_num(record_id))
        self.computers.append(share(computer, computer))
        self.channels.append(share(channel, channel))
        self.messages.append(message)
        self.locators.append(locator)

    def append_rows(self, rows: list[tuple[Any, ...]], locators: Iterable[int]) -> None:
        """Many rows at once, each a tuple in `append`'s order (time .. message): one C-level
        pass per column instead of ten Python steps per row."""
        if not rows:
            return
        times, levels, providers, event_ids, qualifiers, record_ids, computers, channels, \
            messages = zip(*rows, strict=True)
        self.times.extend(times)
        self.levels.extend(map(_level, levels))
        share = self._shared.setdefault
        self.providers.extend(map(share, providers, providers))
        self.event_ids.extend(map(_num, event_ids))
        self.qualifiers.extend(map(_num, qualifiers))
        self.record_ids.extend(map(_num, record_ids))
        self.computers.extend(map(share, computers, computers))
        self.channels.extend(map(share, channels, channels))
        self.messages.extend(messages)
        self.locators.extend(locators)

    def append_record(self, record: EventRecord, locator: int = NO_NUMBER) -> None:
        if record.ticks != NO_TIME:
            ticks = record.ticks
        else:
            ticks = ticks_from_datetime(record.time) if record.time else NO_TIME
        self.append(ticks, record.level, record.provider, record.event_id, record.qualifiers,
                    record.record_id, record.computer, record.channel, record.message, locator)

    def extend(self, other: EventTable) -> None:
        for name in ("times", "levels", "event_ids", "qualifiers", "record_ids", "locators"):
            getattr(self, name).extend(getattr(other, name))
        share = self._shared.setdefault
        for name in ("providers", "computers", "channels"):
            getattr(self, name).extend(map(share, getattr(other, name), getattr(other, name)))
        self.messages.extend(other.messages)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state["_shared"] = {}  # rebuilt on arrival; the pickle keeps one object per string anyway
        return state

    def record(self, row: int, *, with_xml: bool = True) -> EventRecord:
        xml = None
        if with_xml and self.xml_reader is not None:
            xml = self.xml_reader(self.locators[row], row)
        return EventRecord(
            time=to_datetime(self.times[row]), level=self.levels[row],
            provider=self.providers[row], event_id=_opt(self.event_ids[row]),
            qualifiers=_opt(self.qualifiers[row]), record_id=_opt(self.record_ids[row]),
            computer=self.computers[row], channel=self.channels[row],
            message=self.messages[row], xml=xml, ticks=self.times[row])

    def records(self, rows: Iterable[int] | None = None, *, with_xml: bool = False) -> Iterator[EventRecord]:
        for row in (range(len(self)) if rows is None else rows):
            yield self.record(row, with_xml=with_xml)

    def lowered_messages(self) -> LoweredView:
        """The search text of every row (lower case, one line), packed into blocks as rows arrive."""
        return self.messages.lowered()

    def nbytes(self) -> int:
        """Rough memory estimate, for the status bar and the benchmark."""
        numbers = sum(len(getattr(self, n)) * getattr(self, n).itemsize
                      for n in ("times", "levels", "event_ids", "qualifiers", "record_ids", "locators"))
        return numbers + self.messages.nbytes() + 3 * 8 * len(self)
