"""What the first window imports. The start-up goal is at most 2x a bare Qt window
(tests/benchmarks/bench_startup.py, README's Figures); a module needed only when the user acts
(starting a process, reading the journal back) is imported on use, not on the way to the first
paint. Measured with `python -X importtime`: subprocess ~7 ms and the journal's reader ~5 ms of a
~320 ms start on the build machine."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# what a start with no command imports before the first paint (app/cli/__init__.py opens the GUI
# without building the command parser): the command line, the launcher and the main window
FIRST_WINDOW = """
import json, sys
import app.cli, app.ui.launch, app.ui.main_window
print(json.dumps(sorted(sys.modules)))
"""
# socket: this machine's name comes from uname (filestore.host_name); the event viewer's known
# errors: built after the first paint, like the viewer
ON_USE = ("subprocess", "app.journal.read", "socket", "app.events.knowledge", "logging.handlers",
          "hashlib",  # a backup's folder name: OpenSSL's start-up waits for the first save
          "app.ui.background")  # its Task (a QObject with signals) is first used after the first paint
# the core modules the first window needs, imported before PySide6 (launch._load_core_first): after
# it, PySide6 reads the source of every module imported (its __feature__ check), a few ms each
CORE_BEFORE_QT = """
import json, sys
import app.ui.launch
app.ui.launch._load_core_first()
before = set(sys.modules)
import PySide6.QtWidgets, app.ui.main_window
print(json.dumps(sorted(m for m in set(sys.modules) - before
                        if m.startswith("app.") and not m.startswith("app.ui"))))
"""


def test_the_first_window_imports_no_module_it_only_needs_on_use():
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", FIRST_WINDOW], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    loaded = set(json.loads(out))
    assert "app.ui.main_window" in loaded and "app.filestore" in loaded  # the check saw a real start
    assert [m for m in ON_USE if m in loaded] == []


def test_the_core_the_first_window_needs_is_loaded_before_qt():
    env = dict(os.environ, PYTHONPATH=str(ROOT), QT_QPA_PLATFORM="offscreen")
    out = subprocess.run([sys.executable, "-c", CORE_BEFORE_QT], env=env, cwd=ROOT, capture_output=True,
                         text=True, timeout=120, check=True).stdout
    assert json.loads(out) == []  # else: add the module to app/ui/launch.py _load_core_first


def test_the_journal_reader_still_comes_on_first_use():
    from app import journal

    assert journal.read_journal.__module__ == "app.journal.read"
    assert journal.JournalView.__name__ == "JournalView"
