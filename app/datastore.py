"""The app's own files in its data folder (not a user's file): the crash log and the app log.

Kept apart from the stores of users' files: these are appended to, never replaced, and hold
nothing of the user's configuration (a traceback shows code, not values).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from app.errors import UserError
from app.paths import data_dir

MAX_CRASH_LOG = 1024 * 1024  # keep the log small: start afresh past 1 MB
APP_LOG = "ecma-wizard.log"
_LOG_HANDLER: logging.Handler | None = None


def record_crash(trace: str) -> Path | None:
    """Append a traceback to crash.log and return its path; None when it cannot be written (a
    full disk, a read-only data folder): reporting a failure must never fail itself."""
    try:
        path = data_dir() / "crash.log"
        mode = "w" if path.exists() and path.stat().st_size > MAX_CRASH_LOG else "a"
        with path.open(mode, encoding="utf-8") as fh:
            fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')}\n{trace}\n")
    except (OSError, UserError):
        return None
    return path


def crash_details(trace: str) -> str:
    """Where the details of an internal error went, as part of a sentence."""
    log = record_crash(trace)
    if log is None:
        return "its details could not be written (the app's data folder is full or read-only)"
    return f"details written to {log}"


def configure_logging(level: int = logging.INFO) -> Path | None:
    """Send the app's own `logging` records to a rotating file in the data folder, once.

    Messages say "details were logged" only because this runs at start-up (GUI and CLI). What is
    logged is ours: names, steps and tracebacks; no module logs a secret's value.
    """
    import logging.handlers  # here: its import (sockets, ...) is not worth it before the first window

    global _LOG_HANDLER
    try:
        path = data_dir() / APP_LOG
    except (OSError, UserError):
        return None  # no usable data folder: the commands still run, without an app log
    if _LOG_HANDLER is not None and getattr(_LOG_HANDLER, "baseFilename", None) == str(path):
        return path
    root = logging.getLogger("app")
    if _LOG_HANDLER is not None:
        root.removeHandler(_LOG_HANDLER)
        _LOG_HANDLER.close()
    class QuietFileHandler(logging.handlers.RotatingFileHandler):
        def handleError(self, record: logging.LogRecord) -> None:
            """A full or read-only data folder: the record is lost, but no traceback is printed
            to the user (logging's default prints one for every failed record)."""

        def close(self) -> None:
            try:
                super().close()  # flushes what is buffered: on a full disk that fails too
            except OSError:
                pass

    handler = QuietFileHandler(path, maxBytes=MAX_CRASH_LOG, backupCount=3, encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # a line of our log lost to a full disk is no reason for a traceback on the user's screen
    logging.raiseExceptions = False
    _LOG_HANDLER = handler
    return path
