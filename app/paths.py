"""Where the app keeps its own files (settings, backups, the sample host copy, crash logs).

Portable mode: when a file named `ecma-wizard.portable` sits beside
the executable, everything lives in a `data` folder next to it, never in the extraction folder.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import platformdirs

PORTABLE_MARKER = "ecma-wizard.portable"
APP_NAME = "ECMAHostWizard"


def executable_dir() -> Path:
    """The folder of the frozen executable (or of the Python interpreter when run from source).

    PyInstaller sets sys.executable to the program the user started, also for a one-file build
    that runs from an extraction folder (sys._MEIPASS): the marker is looked for beside the former.
    """
    return Path(sys.executable).resolve().parent


def portable_dir() -> Path | None:
    """The portable data folder when the marker file sits beside the executable, else None."""
    if getattr(sys, "frozen", False):
        exe_dir = executable_dir()
        if (exe_dir / PORTABLE_MARKER).exists():
            return exe_dir / "data"
    return None


def data_dir() -> Path:
    """The app's data folder; `ECMA_WIZARD_DATA` overrides it (tests, CI, jump-host scripts)."""
    override = os.environ.get("ECMA_WIZARD_DATA")
    portable = None if override else portable_dir()
    if portable is not None:
        _make_portable_dir(portable)
        return portable
    path = Path(override) if override else Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


def _make_portable_dir(path: Path) -> None:
    """A portable copy on a read-only share is a user's setup problem: say so in one sentence."""
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        from app.errors import UserError

        raise UserError(
            f"the portable data folder cannot be created ({exc.strerror or type(exc).__name__}); "
            f"copy the program to a folder you can write to, or delete {PORTABLE_MARKER} beside it "
            "to keep the data in your profile instead.", path=path) from None


def backups_dir() -> Path:
    path = data_dir() / "backups"
    path.mkdir(parents=True, exist_ok=True)
    return path


def resources_dir() -> Path:
    """The `resources/` folder: beside `app/` in a checkout, inside the bundle when frozen."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root) / "resources"
    here = Path(__file__).resolve().parent.parent / "resources"
    if here.is_dir():
        return here
    import importlib.resources

    return Path(str(importlib.resources.files("resources")))
