"""The GUI's last line of defence: an unexpected exception in a slot becomes a dialog and a
crash-log entry, and the window keeps running."""

from __future__ import annotations

import logging
import os
import sys

import pytest
from PySide6.QtWidgets import QMessageBox, QPushButton

from app.datastore import APP_LOG, configure_logging
from app.paths import data_dir
from app.ui import launch


@pytest.mark.qt_no_exception_capture
def test_exception_in_a_slot_shows_a_dialog_writes_the_log_and_keeps_running(qtbot, monkeypatch):
    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _parent, _title, text: shown.append(text)))
    monkeypatch.setattr(sys, "excepthook", launch._excepthook)

    def broken_slot() -> None:
        raise RuntimeError("boom in a slot")

    button = QPushButton("Break")
    qtbot.addWidget(button)
    button.clicked.connect(broken_slot)
    button.show()
    button.click()

    assert len(shown) == 1 and shown[0].startswith("An internal error happened")
    log = data_dir() / "crash.log"
    assert "boom in a slot" in log.read_text(encoding="utf-8")
    assert str(log) in shown[0]
    assert button.isVisible()  # still running: a second click reports again
    button.click()
    assert len(shown) == 2


@pytest.mark.qt_no_exception_capture
def test_a_user_error_in_a_slot_is_its_sentence_and_no_crash_log(qtbot, monkeypatch):
    from app.errors import UserError

    shown: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _p, _t, text: shown.append(text)))
    monkeypatch.setattr(sys, "excepthook", launch._excepthook)
    button = QPushButton("Break")
    qtbot.addWidget(button)

    def slot() -> None:
        raise UserError("the file is gone", path="x.xml")

    button.clicked.connect(slot)
    button.click()
    assert shown == ["x.xml: the file is gone"]
    data = os.environ["ECMA_WIZARD_DATA"]
    assert not os.path.exists(os.path.join(data, "crash.log"))


def test_logging_goes_to_a_rotating_file_in_the_data_folder():
    path = configure_logging()
    assert path.name == APP_LOG and str(path.parent) == os.environ["ECMA_WIZARD_DATA"]
    logging.getLogger("app.test").warning("a step failed")
    for handler in logging.getLogger("app").handlers:
        handler.flush()
    assert "a step failed" in path.read_text(encoding="utf-8")
