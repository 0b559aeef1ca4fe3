"""The app's own files in its data folder (not a user's file): the crash log and the app log.

Kept apart from the stores of users' files: these are appended to, never replaced, and hold
nothing of the user's configuration (a traceback shows code, not values).
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from pathlib import Path

from app.paths import data_dir

MAX_CRASH_LOG = 1024 * 1024  # keep the log small: start afresh past 1 MB
APP_LOG = "ecma-wizard.log"
_LOG_HANDLER: logging.Handler | None = None


def record_crash(trace: str) -> Path:
    """Append a traceback to crash.log and return its path."""
    path = data_dir() / "crash.log"
    mode = "w" if path.exists() and path.stat().st_size > MAX_CRASH_LOG else "a"
    with path.open(mode, encoding="utf-8") as fh:
        fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')}\n{trace}\n")
    return path


def configure_logging(level: int = logging.INFO) -> Path:
    """Send the app's own `logging` records to a rotating file in the data folder, once.

    Messages say "details were logged" only because this runs at start-up (GUI and CLI). What is
    logged is ours: names, steps and tracebacks; no module logs a secret's value.
    """
    import logging.handlers  # here: its import (sockets, ...) is not worth it before the first window

    global _LOG_HANDLER
    path = data_dir() / APP_LOG
    if _LOG_HANDLER is not None and getattr(_LOG_HANDLER, "baseFilename", None) == str(path):
        return path
    root = logging.getLogger("app")
    if _LOG_HANDLER is not None:
        root.removeHandler(_LOG_HANDLER)
        _LOG_HANDLER.close()
    handler = logging.handlers.RotatingFileHandler(path, maxBytes=MAX_CRASH_LOG, backupCount=3,
                                                   encoding="utf-8", delay=True)
    handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root.addHandler(handler)
    root.setLevel(level)
    # a line of our log lost to a full disk is no reason for a traceback on the user's screen
    logging.raiseExceptions = False
    _LOG_HANDLER = handler
    return path
