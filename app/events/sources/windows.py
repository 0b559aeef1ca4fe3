"""The live ECMA2Host log on Windows (docs/host-facts.md §5, §10), behind a small interface.

`live_source()` returns `WindowsLiveLog` where pywin32's `win32evtlog` imports, and otherwise an
`UnavailableLiveLog` whose `reason` says plainly why. The channel is found by name through
EvtOpenChannelEnum (never a hard-coded path); rows come newest first (EvtQueryReverseDirection);
follow mode polls for record ids above the highest seen, which a worker thread calls.
"""

from __future__ import annotations

import sys
from collections.abc import Iterator
from types import ModuleType
from typing import Any

from app.errors import UserError
from app.events.eventxml import columns_from
from app.events.records import EventTable
from app.events.sources.base import Batch, Cancel, EventSource

LOG_NAME = "ECMA2Host"  # shown as "Microsoft ECMA2Host Logs" (docs/host-facts.md §5)
PAGE = 256


def find_channel(evt: ModuleType, wanted: str = LOG_NAME) -> str | None:
    """The channel whose name is `wanted` (any case), else the first one containing it."""
    names: list[str] = []
    enum = evt.EvtOpenChannelEnum(None, 0)
    while True:
        try:
            name = evt.EvtNextChannelPath(enum)
        except Exception:  # pywin32 raises at the end on some versions
            break
        if name is None:
            break
        names.append(name)
    exact = [n for n in names if n.lower() == wanted.lower()]
    if exact:
        return exact[0]
    close = [n for n in names if wanted.lower() in n.lower().replace(" ", "")]
    return close[0] if close else None


def _next(evt: ModuleType, query: object, count: int) -> tuple[Any, ...]:  # pywin32's handles
    try:
        return tuple(evt.EvtNext(query, count) or ())
    except Exception as exc:  # ERROR_NO_MORE_ITEMS (259) is how some builds say "done"
        if getattr(exc, "winerror", None) == 259 or (getattr(exc, "args", ()) or [None])[0] == 259:
            return ()
        raise


class WindowsLiveLog(EventSource):
    available = True
    reason = ""
    can_follow = True
    relative_to_now = True

    def __init__(self, evt: ModuleType, channel: str | None = None) -> None:
        super().__init__()
        self.evt = evt
        self.channel = channel or find_channel(evt)
        if self.channel is None:
            raise UserError(f"No event log named {LOG_NAME} on this machine: is the ECMA Connector Host "
                            "installed, and has its wizard run once (it creates the log)?")
        self.name = f"{self.channel} (live)"
        self.highest = -1

    def _rows(self, xpath: str, flags: int, cancel: Cancel | None) -> Iterator[EventTable]:
        evt = self.evt
        query = evt.EvtQuery(self.channel, flags, xpath)
        while True:
            handles = _next(evt, query, PAGE)
            if not handles:
                return
            table = EventTable()
            for handle in handles:
                xml = evt.EvtRender(handle, evt.EvtRenderEventXml)
                cols = columns_from(xml)
                if cols.record_id is not None:
                    self.highest = max(self.highest, cols.record_id)
                table.append(cols.time, cols.level, cols.provider, cols.event_id, cols.qualifiers,
                             cols.record_id, cols.computer, cols.channel, cols.message,
                             cols.record_id if cols.record_id is not None else -1)
            yield table
            if cancel and cancel():
                self.report.cancelled = True
                return

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        flags = self.evt.EvtQueryChannelPath | self.evt.EvtQueryReverseDirection
        done = 0
        for table in self._rows("*", flags, cancel):
            done += len(table)
            yield Batch(table, done, 0)

    def raw_xml(self, locator: int, row: int) -> str | None:
        if locator < 0:
            return None
        query = self.evt.EvtQuery(self.channel, self.evt.EvtQueryChannelPath,
                                  f"*[System[EventRecordID={int(locator)}]]")
        handles = _next(self.evt, query, 1)
        return self.evt.EvtRender(handles[0], self.evt.EvtRenderEventXml) if handles else None

    def read_new(self) -> EventTable:
        """Polling follow: events with a record id above the highest seen, oldest first."""
        out = EventTable()
        xpath = f"*[System[EventRecordID>{self.highest}]]" if self.highest >= 0 else "*"
        for table in self._rows(xpath, self.evt.EvtQueryChannelPath, None):
            out.extend(table)
        return out


class UnavailableLiveLog(EventSource):
    """What the viewer shows instead of the live log where it cannot exist."""

    available = False
    name = "live log (unavailable)"

    def __init__(self, reason: str) -> None:
        super().__init__()
        self.reason = reason

    def batches(self, cancel: Cancel | None = None) -> Iterator[Batch]:
        raise UserError(self.reason)


def live_source(evt: ModuleType | None = None) -> EventSource:
    """The live ECMA2Host log, or an unavailable source that says why."""
    if evt is None:
        if sys.platform != "win32":
            return UnavailableLiveLog(
                "The live ECMA2Host log can only be read on the Windows host itself; here, export it "
                "there with `wevtutil epl ECMA2Host ecma2host.evtx` and open that file.")
        try:
            import win32evtlog as evt  # type: ignore[no-redef]
        except ImportError:
            return UnavailableLiveLog("The live log needs pywin32 (win32evtlog), which is not installed.")
    try:
        return WindowsLiveLog(evt)
    except UserError as exc:
        return UnavailableLiveLog(exc.sentence())
    except Exception as exc:  # access denied, service stopped: tell, do not crash
        return UnavailableLiveLog(f"The ECMA2Host log could not be opened ({exc}).")
