"""Fixtures for the main window's tests (tests/ui/test_*.py): a private copy of the sample host
and a window on it. Nothing here is autouse, so other areas' tests under tests/ui/ are unaffected."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def host_copy(tmp_path) -> Path:
    """A copy of resources/sample-host; returns its root folder."""
    root = tmp_path / "host"
    shutil.copytree(ROOT / "resources" / "sample-host", root)
    return root


@pytest.fixture
def host_layout(host_copy):
    from app.host.layout import HostLayout, config_in

    return HostLayout(config_in(host_copy), host_copy, is_sample=True)


@pytest.fixture
def make_window(qtbot, host_layout):
    """Build main windows on the host copy (no certificate lookups, no service control)."""
    made = []

    def make(layout=None, **kwargs):
        from app.ui.launch import main_window_for

        kwargs.setdefault("certificate_status", None)
        window = main_window_for(layout or host_layout, **kwargs)
        qtbot.addWidget(window)
        made.append(window)
        return window

    yield make
    for window in made:
        window.document = None  # no "save your changes?" question while qtbot closes it
        window.store.lock.release()


@pytest.fixture
def window(make_window):
    w = make_window()
    w.show()
    return w


class Dialogs:
    """Stands in for QMessageBox's static functions: records each call, answers from `answers`
    (a list consumed in order), else Yes for questions. A modal box would hang an offscreen test."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str]] = []
        self.answers: list = []

    def _record(self, kind: str, default=None):
        def fake(parent, title, text, *args, **kwargs):
            from PySide6.QtWidgets import QMessageBox

            self.calls.append((kind, title, text))
            if self.answers:
                return self.answers.pop(0)
            return default if default is not None else QMessageBox.StandardButton.Ok
        return fake

    def texts(self, kind: str | None = None) -> list[str]:
        return [text for k, _title, text in self.calls if kind in (None, k)]


@pytest.fixture
def dialogs(monkeypatch) -> Dialogs:
    from PySide6.QtWidgets import QMessageBox

    fake = Dialogs()
    monkeypatch.setattr(QMessageBox, "question", fake._record("question", QMessageBox.StandardButton.Yes))
    for kind in ("warning", "information", "critical"):
        monkeypatch.setattr(QMessageBox, kind, fake._record(kind))
    from PySide6.QtWidgets import QInputDialog

    # An unexpected input dialog is answered with Cancel instead of hanging the run.
    monkeypatch.setattr(QInputDialog, "getItem", lambda *a, **k: (fake.calls.append(("input", "", str(a[1:3])))
                                                                  or ("", False)))
    monkeypatch.setattr(QInputDialog, "getText", lambda *a, **k: (fake.calls.append(("input", "", str(a[1:3])))
                                                                  or ("", False)))
    return fake
