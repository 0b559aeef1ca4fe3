"""Writing the journal: one JSON line per step, appended in one write, rotated past a size.

Two processes (the GUI and a CLI command, two CLI commands) may append at the same moment. A
line goes out in ONE os.write on a descriptor opened with O_APPEND: on a local POSIX file system
that write lands whole at the end of the file, never interleaved with another's. Windows' C
runtime emulates O_APPEND with a seek and a write, so there a byte-range lock on a lock file
beside the journal serialises the writers (docs/journal.md §3).

Writing the journal never stops the user's action: a journal that cannot be written (full disk,
read-only data folder) is said in the app log, and the change goes on.
"""

from __future__ import annotations

import contextvars
import getpass
import json
import logging
import os
import re
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from app.errors import UserError

log = logging.getLogger(__name__)

JOURNAL_FILE = "journal.jsonl"
ARCHIVE_GLOB = "journal-*.jsonl"
MAX_JOURNAL = 2 * 1024 * 1024   # rotate past 2 MB (an action is two lines, ~700 bytes: ~3,000 actions)
KEEP_ARCHIVES = 4               # and keep the last four rotated files: ~15,000 actions, 10 MB in all
MAX_TEXT = 400                  # one detail's text: a path or a sentence, not a document
MAX_LINE = 8 * 1024             # one line, whatever the details
# A detail whose name says it holds a secret is never written, whatever its value.
SECRET_NAME = re.compile(r"pass|secret|token|pwd|credential|private|apikey|api_key|key$", re.I)
NOT_RECORDED = "[not recorded]"

_current: contextvars.ContextVar[Action | None] = contextvars.ContextVar("journal_action", default=None)


def who() -> tuple[str, str]:
    """(user, machine) as the OS names them; the user as DOMAIN\\name on Windows."""
    try:
        user = getpass.getuser()
    except Exception:  # no login name (a service account without USER set): say so, do not fail
        user = "unknown"
    domain = os.environ.get("USERDOMAIN") if sys.platform == "win32" else None
    if domain and "\\" not in user:
        user = f"{domain}\\{user}"
    if hasattr(os, "uname"):
        machine = os.uname().nodename
    else:
        import socket

        machine = socket.gethostname()
    return user, machine


def _clean(value: Any, depth: int = 0) -> Any:
    """What may go into a line: short text, numbers, lists and mappings of them."""
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Path):
        value = str(value)
    if isinstance(value, str):
        return value if len(value) <= MAX_TEXT else value[:MAX_TEXT] + "…"
    if depth >= 3:
        return "…"
    if isinstance(value, dict):
        return clean_details(value, depth + 1)
    if isinstance(value, list | tuple | set):
        items = [_clean(v, depth + 1) for v in list(value)[:50]]
        return items + (["…"] if len(value) > 50 else [])
    return _clean(str(value), depth)


def clean_details(details: dict[str, Any], depth: int = 0) -> dict[str, Any]:
    """The details without anything whose name says secret."""
    return {str(k): (NOT_RECORDED if SECRET_NAME.search(str(k)) else _clean(v, depth))
            for k, v in list(details.items())[:40]}


def _stamp() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class Journal:
    """The journal file in one folder (the app's data folder unless told otherwise)."""

    def __init__(self, folder: str | Path) -> None:
        self.folder = Path(folder)
        self.path = self.folder / JOURNAL_FILE
        self.max_bytes = MAX_JOURNAL
        self.keep = KEEP_ARCHIVES

    def files(self) -> list[Path]:
        """The rotated files (oldest first), then the current one."""
        archives = sorted(self.folder.glob(ARCHIVE_GLOB))
        return archives + ([self.path] if self.path.exists() else [])

    def append(self, entry: dict[str, Any]) -> bool:
        """Write one line; False (and a line in the app log) when it could not be written."""
        line = _line(entry)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            self._rotate_if_full()
            with _writer_lock(self.folder):
                fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_APPEND | getattr(os, "O_BINARY", 0),
                             0o600)
                try:
                    written = os.write(fd, line)
                finally:
                    os.close(fd)
            if written != len(line):  # a full disk mid-line: the reader skips the torn line
                log.warning("the journal %s is full: %d of %d bytes of a line were written",
                            self.path, written, len(line))
                return False
            return True
        except (OSError, UserError) as exc:
            log.warning("the journal %s could not be written (%s); the action goes on unrecorded",
                        self.path, getattr(exc, "strerror", None) or exc)
            return False

    def _rotate_if_full(self) -> None:
        """Past max_bytes the file is renamed to a unique archive name, so two writers rotating at
        once each move a different file and no line is lost; then the oldest archives go."""
        try:
            if self.path.stat().st_size < self.max_bytes:
                return
        except FileNotFoundError:
            return
        stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S%fZ")
        try:
            os.replace(self.path, self.folder / f"journal-{stamp}-{os.getpid()}.jsonl")
        except FileNotFoundError:
            return  # another writer rotated it a moment ago
        for old in sorted(self.folder.glob(ARCHIVE_GLOB))[:-self.keep or None]:
            old.unlink(missing_ok=True)


def _line(entry: dict[str, Any]) -> bytes:
    line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    if len(line.encode("utf-8")) > MAX_LINE:  # too many details: keep the facts, drop the rest
        entry = {k: v for k, v in entry.items() if k != "details"} | {"details": {"note": "details too long"}}
        line = json.dumps(entry, ensure_ascii=False, separators=(",", ":"))
    # a newline first would not help a torn line; a newline last ends this one for sure
    return (line.replace("\n", " ") + "\n").encode("utf-8")


@contextmanager
def _writer_lock(folder: Path) -> Iterator[None]:
    if sys.platform != "win32" or os.name != "nt":  # os.name: the OS itself (tests fake sys.platform)
        yield  # O_APPEND's single write is the lock on POSIX
        return
    import msvcrt

    fd = os.open(folder / "journal.lock", os.O_RDWR | os.O_CREAT | os.O_BINARY, 0o600)
    try:
        for _ in range(50):  # LK_NBLCK: try for about 5 seconds, then write unlocked
            try:
                msvcrt.locking(fd, msvcrt.LK_NBLCK, 1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            log.warning("the journal's lock was held for 5 s; writing without it")
            yield
            return
        try:
            yield
        finally:
            os.lseek(fd, 0, os.SEEK_SET)
            msvcrt.locking(fd, msvcrt.LK_UNLCK, 1)
    finally:
        os.close(fd)


_DEFAULT: dict[str, Journal] = {}


def default_journal() -> Journal:
    """The journal in the app's data folder (portable mode: beside the program; ECMA_WIZARD_DATA
    for tests and scripts), looked up each time: tests and scripts move the data folder."""
    from app.paths import data_dir

    folder = str(data_dir())
    if folder not in _DEFAULT:
        _DEFAULT.clear()
        _DEFAULT[folder] = Journal(folder)
    return _DEFAULT[folder]


class Action:
    """One change, journaled as "started" on entry and "finished" (ok / failed: why) on exit.

    `undo`: the backup (file or folder) that puts the change back, set once it is taken.
    `note(**details)`: details learnt while it runs, written with the finish line.
    """

    def __init__(self, what: str, target: str | Path | None, details: dict[str, Any],
                 journal: Journal | None = None) -> None:
        self.what = what
        self.target = str(target) if target is not None else ""
        self.details = clean_details(details)
        self.undo: str | Path | None = None
        self.outcome: str | None = None
        self.journal = journal
        self.id = f"{os.getpid():x}-{time.time_ns():x}-{os.urandom(3).hex()}"
        self._token: contextvars.Token[Action | None] | None = None
        self._failure: str | None = None

    def note(self, **details: Any) -> None:
        self.details.update(clean_details(details))

    def fail(self, reason: str) -> None:
        """The action failed without an exception (a plan that rolled itself back): say why."""
        self._failure = _clean(reason)

    def _entry(self, phase: str) -> dict[str, Any]:
        user, machine = who()
        parent = _current.get()
        entry: dict[str, Any] = {"id": self.id, "phase": phase, "time": _stamp(), "user": user,
                                 "machine": machine, "pid": os.getpid(), "action": self.what,
                                 "target": _clean(self.target)}
        if parent is not None and parent is not self:
            entry["parent"] = parent.id
        if self.details:
            entry["details"] = self.details
        return entry

    def _append(self, entry: dict[str, Any]) -> None:
        if self.journal is None:
            try:
                self.journal = default_journal()
            except (OSError, UserError) as exc:  # no data folder (a read-only portable copy): go on
                log.warning("no journal: %s", exc.sentence() if isinstance(exc, UserError) else exc)
                return
        self.journal.append(entry)

    def __enter__(self) -> Action:
        self._append(self._entry("started"))
        self._token = _current.set(self)
        log.info("%s %s: started", self.what, self.target)
        return self

    def __exit__(self, kind: type[BaseException] | None, exc: BaseException | None,
                 _tb: TracebackType | None) -> None:
        if self._token is not None:
            _current.reset(self._token)
        entry = self._entry("finished")
        if exc is None and self._failure is not None:
            self.outcome = "failed"
            entry["reason"] = self._failure
        elif exc is None:
            self.outcome = "ok"
        elif isinstance(exc, KeyboardInterrupt):
            self.outcome = "failed"
            entry["reason"] = "interrupted"
        else:
            self.outcome = "failed"
            entry["reason"] = _reason(exc)
        entry["outcome"] = self.outcome
        if self.undo is not None:
            entry["undo"] = _clean(self.undo)
        self._append(entry)
        if self.outcome == "ok":
            log.info("%s %s: finished ok", self.what, self.target)
        else:
            log.warning("%s %s: failed: %s", self.what, self.target, entry["reason"])


def _reason(exc: BaseException) -> str:
    """The one sentence the user saw (our messages hold no secret), else the error's type only:
    a program error's text may quote anything."""
    if isinstance(exc, UserError):
        return _clean(exc.sentence())
    if isinstance(exc, OSError):
        return _clean(f"{type(exc).__name__}: {exc.strerror or 'error'}")
    return f"internal error ({type(exc).__name__})"


def action(what: str, target: str | Path | None = None, **details: Any) -> Action:
    """A change about to be made; use it as a `with` block around the change."""
    return Action(what, target, details)


def record(what: str, target: str | Path | None = None, *, undo: str | Path | None = None,
           **details: Any) -> None:
    """A change already made in one step (nothing can be interrupted between start and end)."""
    with Action(what, target, details) as done:
        done.undo = undo


def current_action() -> Action | None:
    """The action running now in this thread (to add a detail from below)."""
    return _current.get()
