"""The app's own files in its data folder (not a user's file): the crash log.

Kept apart from the stores of users' files: these are appended to, never replaced, and hold
nothing of the user's configuration (a traceback shows code, not values).
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from app.paths import data_dir

MAX_CRASH_LOG = 1024 * 1024  # keep the log small: start afresh past 1 MB


def record_crash(trace: str) -> Path:
    """Append a traceback to crash.log and return its path."""
    path = data_dir() / "crash.log"
    mode = "w" if path.exists() and path.stat().st_size > MAX_CRASH_LOG else "a"
    with path.open(mode, encoding="utf-8") as fh:
        fh.write(f"--- {datetime.now(UTC).isoformat(timespec='seconds')}\n{trace}\n")
    return path
