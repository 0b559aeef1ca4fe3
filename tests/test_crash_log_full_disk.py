"""An internal error while the app's data folder is full: one sentence, never a traceback (the
crash log itself cannot be written, and neither can the app log)."""

from __future__ import annotations

import errno
import logging
import os
import sys
from pathlib import Path

import pytest

import app.cli.config as commands
from app import datastore
from app.cli import main


def boom(args):
    logging.getLogger("app.test").error("about to fail")  # the app log is on the full disk too
    raise RuntimeError("our own bug")


def run_failing(capsys, monkeypatch, tmp_path) -> tuple[int, str]:
    monkeypatch.setattr(commands, "cmd_show", boom)
    sample = Path(__file__).resolve().parents[1] / "resources" / "sample-host"
    code = main(["show", "--host-dir", str(sample)])
    captured = capsys.readouterr()
    return code, captured.err


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="/dev/full (a device that is always full) is Linux's")
def test_a_really_full_crash_log_is_one_sentence(capsys, monkeypatch, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "crash.log").symlink_to("/dev/full")  # every write: ENOSPC, as on a full disk
    (data / datastore.APP_LOG).symlink_to("/dev/full")
    monkeypatch.setenv("ECMA_WIZARD_DATA", str(data))
    code, err = run_failing(capsys, monkeypatch, tmp_path)
    assert code == 3
    assert "Traceback" not in err and "Logging error" not in err, err
    assert err.strip().count("\n") == 0, err
    assert "internal error (its details could not be written" in err


def test_a_refused_crash_log_is_one_sentence(capsys, monkeypatch, tmp_path):
    monkeypatch.setenv("ECMA_WIZARD_DATA", str(tmp_path / "data"))

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(Path, "open", full)
    assert datastore.record_crash("trace") is None
    monkeypatch.undo()


def test_the_gui_hook_says_the_same(monkeypatch, tmp_path, capsys):
    from PySide6.QtWidgets import QMessageBox

    from app.ui import launch

    shown: list[str] = []  # the dialog's text (a real one would block the test)
    monkeypatch.setattr(QMessageBox, "critical", staticmethod(lambda _parent, _title, text: shown.append(text)))
    monkeypatch.setattr(datastore, "record_crash", lambda trace: None)
    try:
        raise RuntimeError("our own bug")
    except RuntimeError:
        launch._excepthook(*sys.exc_info())
    err = capsys.readouterr().err
    assert "could not be written" in err and "Traceback" not in err
    assert all("could not be written" in text for text in shown)


def test_an_unusable_data_folder_does_not_stop_a_command(capsys, monkeypatch, tmp_path):
    """The data folder cannot even be created (a file where the folder should be): the command
    still runs, and an internal error is still one sentence."""
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    monkeypatch.setenv("ECMA_WIZARD_DATA", str(blocker / "data"))
    sample = Path(__file__).resolve().parents[1] / "resources" / "sample-host"
    assert main(["validate", "--host-dir", str(sample)]) in (0, 1)
    code, err = run_failing(capsys, monkeypatch, tmp_path)
    assert code == 3 and "Traceback" not in err and "could not be written" in err
