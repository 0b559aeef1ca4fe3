"""Reading the journal back: lines paired into actions; a line that is not whole JSON is skipped
and counted (a crash mid-write, a disk that filled up, a hand edit), never an error."""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app import liveness
from app.journal.write import Journal, default_journal, who

MAX_READ = 64 * 1024 * 1024  # the journal and its archives are ~10 MB; more is not ours


@dataclass
class ActionView:
    """One action as the journal tells it."""

    id: str
    action: str
    target: str
    started: str | None            # UTC, ISO 8601
    finished: str | None
    user: str
    machine: str
    pid: int | None
    outcome: str                    # ok | failed | unfinished | running
    reason: str = ""
    undo: str = ""
    parent: str | None = None
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def when(self) -> str:
        return self.started or self.finished or ""

    def when_text(self) -> str:
        """'2026-12-06 19:40:02 UTC'."""
        return self.when.replace("T", " ")[:19] + " UTC" if self.when else "(time unknown)"

    def by(self) -> str:
        return f"{self.user}@{self.machine}" if self.machine else self.user

    def details_text(self) -> str:
        return "; ".join(f"{k}: {', '.join(map(str, v)) if isinstance(v, list) else v}"
                         for k, v in self.details.items())

    def outcome_text(self) -> str:
        """For people: 'ok', 'failed: why', 'did not finish (...)'."""
        if self.outcome == "failed":
            return f"failed: {self.reason}" if self.reason else "failed"
        if self.outcome == "unfinished":
            return "did not finish (the program was stopped while it ran)"
        if self.outcome == "running":
            return f"running now (process {self.pid})"
        return self.outcome

    def to_json(self) -> dict[str, Any]:
        return {"id": self.id, "action": self.action, "target": self.target, "started": self.started,
                "finished": self.finished, "user": self.user, "machine": self.machine, "pid": self.pid,
                "outcome": self.outcome, "reason": self.reason or None, "undo": self.undo or None,
                "parent": self.parent, "details": self.details}


@dataclass
class JournalView:
    actions: list[ActionView]       # oldest first
    skipped: int = 0                # lines that were not a whole journal entry
    files: list[Path] = field(default_factory=list)

    def unfinished(self) -> list[ActionView]:
        return [a for a in self.actions if a.outcome == "unfinished"]

    def about(self, place: str | Path) -> JournalView:
        """Only the actions on one host folder or file (a target at or under `place`)."""
        root = _norm(str(place))
        keep = [a for a in self.actions
                if a.target and (_norm(a.target) == root or _norm(a.target).startswith(root.rstrip("/") + "/")
                                 or _norm(str(a.details.get("host") or "")) == root)]
        return JournalView(keep, self.skipped, self.files)


def _norm(text: str) -> str:
    path = text.replace("\\", "/")
    try:
        path = str(Path(text).resolve()).replace("\\", "/") if text and not text.startswith("https:") else path
    except (OSError, ValueError):
        pass
    return path.casefold() if sys.platform == "win32" else path


def _lines(path: Path) -> tuple[list[dict[str, Any]], int]:
    entries, skipped = [], 0
    try:
        with path.open("rb") as fh:
            data = fh.read(MAX_READ)
    except OSError:
        return [], 0
    for raw in data.split(b"\n"):
        if not raw.strip():
            continue
        try:
            entry = json.loads(raw.decode("utf-8"))
        except (UnicodeDecodeError, ValueError, RecursionError):
            skipped += 1
            continue
        if not isinstance(entry, dict) or not isinstance(entry.get("id"), str) \
                or entry.get("phase") not in ("started", "finished"):
            skipped += 1
            continue
        entries.append(entry)
    return entries, skipped


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ("" if value is None else str(value))


def read_journal(journal: Journal | None = None) -> JournalView:
    """Every action in the journal's files, oldest first."""
    journal = journal or default_journal()
    files = journal.files()
    by_id: dict[str, ActionView] = {}
    order: list[str] = []
    skipped = 0
    this_machine = who()[1]
    for path in files:
        entries, bad = _lines(path)
        skipped += bad
        for e in entries:
            view = by_id.get(e["id"])
            if view is None:
                pid = e.get("pid")
                view = ActionView(id=e["id"], action=_text(e.get("action")), target=_text(e.get("target")),
                                  started=None, finished=None, user=_text(e.get("user")),
                                  machine=_text(e.get("machine")), pid=pid if isinstance(pid, int) else None,
                                  outcome="unfinished", parent=e.get("parent") if isinstance(e.get("parent"), str) else None)
                by_id[e["id"]] = view
                order.append(e["id"])
            details = e.get("details")
            if isinstance(details, dict):
                view.details.update(details)
            if e["phase"] == "started":
                view.started = _text(e.get("time")) or None
            else:
                view.finished = _text(e.get("time")) or None
                view.outcome = "ok" if e.get("outcome") == "ok" else "failed"
                view.reason = _text(e.get("reason"))
                view.undo = _text(e.get("undo"))
    actions = [by_id[i] for i in order]
    for a in actions:
        if a.outcome == "unfinished" and a.machine == this_machine and a.pid is not None and liveness.probe(a.pid).running is True:
            a.outcome = "running"
    actions.sort(key=lambda a: a.when)
    return JournalView(actions, skipped, files)
