"""Where the app keeps its own files (settings, backups, the sample host copy, crash logs).

Portable mode (issue "Portable executable"): when a file named `ecma-wizard.portable` sits beside
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
    """The folder of the frozen executable (or of the Python interpreter when run from source)."""
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
    if override:
        path = Path(override)
    else:
        path = portable_dir() or Path(platformdirs.user_data_dir(APP_NAME, appauthor=False))
    path.mkdir(parents=True, exist_ok=True)
    return path


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
