"""What the parts of a report share while it is gathered: the host, the options, the members made
so far, what was left out and why, and the values that must never appear in it."""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from app.host.layout import HostLayout
from app.report.recorder import Recorder

DEFAULT_DAYS = 7


@dataclass
class ReportOptions:
    layout: HostLayout
    days: int = DEFAULT_DAYS
    redact: list[str] = field(default_factory=list)
    token: str | None = field(default=None, repr=False)  # for the connection test; never written
    token_connector: str | None = None  # the connector the token is for (default: the first)
    platform: str = sys.platform
    recorder: Recorder | None = None  # tests give one with captured outputs (a Windows host)
    with_bridge: bool = True
    bridge_timeout: float = 15.0
    probe_endpoint: bool = True  # the doctor may open a TLS connection to the host's own port


@dataclass
class ReportContext:
    options: ReportOptions
    recorder: Recorder
    progress: Callable[[str], None] = lambda _text: None
    cancelled: Callable[[], bool] = lambda: False
    members: dict[str, bytes] = field(default_factory=dict)
    what: dict[str, str] = field(default_factory=dict)  # member -> one line for the summary
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (what, why)
    known_values: list[str] = field(default_factory=list, repr=False)
    facts: dict[str, Any] = field(default_factory=dict)  # headlines for the summary and the reader
    events: Callable[[], Iterator[bytes]] | None = None  # streamed last: it can be large
    events_what: str = ""

    @property
    def layout(self) -> HostLayout:
        return self.options.layout

    @property
    def on_windows(self) -> bool:
        return self.options.platform == "win32"

    def add(self, name: str, data: bytes, what: str) -> None:
        self.members[name] = data
        self.what[name] = what

    def add_json(self, name: str, value: Any, what: str) -> None:
        self.add(name, json.dumps(value, indent=2, ensure_ascii=False, default=str).encode("utf-8"), what)

    def leave_out(self, what: str, why: str) -> None:
        self.left_out.append((what, why.rstrip(".") + "."))

    def not_here(self) -> str:
        return f"it needs the Windows host itself (this report was made on {self.options.platform})"
