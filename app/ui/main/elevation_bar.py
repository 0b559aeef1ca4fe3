"""The strip that says the host needs the wizard elevated, with "Restart as administrator"
(app/host/elevation.py decides; this only shows it)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QWidget

from app.host.elevation import BANNER, needs_elevation, restart_elevated
from app.ui.main.message_bar import MessageBar

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow

RESTART = "Restart as administrator"


def elevation_bar(window: MainWindow, parent: QWidget, *, needed: bool | None = None,
                  restart: Callable[[Path], str | None] | None = None) -> MessageBar:
    """A bar, shown when the open host lives under Program Files and this process is not
    elevated. `needed` and `restart` replace the system's answers (tests, screenshots)."""
    bar = MessageBar("elevationBar", parent)
    root = window.host.root
    # (a lone Configuration.xml, root None, never needs it: there is no host folder to reopen)
    if root is None or not (needs_elevation(root) if needed is None else needed):
        return bar

    def restart_now() -> None:
        why = (restart or restart_elevated)(root)
        if why is None:
            window.close()  # the elevated copy opens this host; this one lets go of the edit lock
            return
        bar.show_message("warning", f"<b>Not running as administrator.</b> {BANNER} {why}",
                         [(RESTART, restart_now)])

    bar.show_message("warning", f"<b>Not running as administrator.</b> {BANNER}", [(RESTART, restart_now)])
    return bar
