"""The main window's menus and tool bar: what each item does lives on the window (save, revert,
show_journal...) or in its areas; this only lays them out."""

from __future__ import annotations

from types import ModuleType
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence

if TYPE_CHECKING:
    from app.ui.main_window import MainWindow


def _reports() -> ModuleType:
    from app.ui.report import actions  # the host report area, loaded when first used

    return actions


def build_menus(window: MainWindow) -> tuple[QAction, QAction, QAction]:
    """Lays out the menus and tool bar; returns the Save, Revert and Backups actions (the window
    enables them as the document changes)."""
    action = window._action
    save = action("&Save", window.save, QKeySequence.StandardKey.Save, "save",
                                "Save Configuration.xml (a backup is taken first)")
    revert = action("&Revert", window.revert, None, "revert",
                                  "Throw away unsaved changes and read the file again")
    backups = action("&Backups…", window.show_backups, None, "backups",
                                   "List the backups of this file and restore one")
    file_menu = window.menuBar().addMenu("&File")
    for a in (save, revert, backups):
        file_menu.addAction(a)
    file_menu.addAction(action("&Journal of changes…", window.show_journal, None, None,
                               "Every change this tool made: when, who, what, the outcome and its undo"))
    file_menu.addSeparator()
    file_menu.addAction(action("Open &host report…", lambda: _reports().open_report(window), None, None,
                               "Look at a host report from another machine, read-only"))
    file_menu.addSeparator()
    file_menu.addAction(action("&Quit", window.close, QKeySequence.StandardKey.Quit))
    connector_menu = window.menuBar().addMenu("C&onnector")
    for item in window.connector_actions.menu_actions():
        if item is None:
            connector_menu.addSeparator()
        else:
            connector_menu.addAction(item)
    view = window.menuBar().addMenu("&View")
    toggle = window.problems_dock.toggleViewAction()
    toggle.setText("Show the &Problems panel")
    view.addAction(toggle)
    view.addAction(action("Go to the problems", window.focus_problems, "Ctrl+Shift+M", None,
                          "Show the Problems panel and move the keyboard focus into it"))
    view.addSeparator()
    for i in range(window.tabs.count()):
        view.addAction(action(window.tabs.tabText(i).replace("&", ""),
                              lambda _=False, i=i: window.tabs.setCurrentIndex(i), f"Ctrl+{i + 1}"))
    help_menu = window.menuBar().addMenu("&Help")
    help_menu.addAction(action("Create a host &report…", lambda: _reports().create_report(window), None,
                               None, "Gather a sanitized picture of this host into one zip"))
    help_menu.addSeparator()
    help_menu.addAction(action("&About", window.about))
    toolbar = window.addToolBar("File")
    toolbar.setObjectName("fileToolbar")
    toolbar.setMovable(False)
    toolbar.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
    for a in (save, revert, backups):
        toolbar.addAction(a)
    return save, revert, backups
