"""The host report in the GUI: Help > Create a host report… lists every file and its size before
anything is written and writes in the background; a report opens read-only (connectors, event log,
doctor results, DLL pages, files), and a bad one is one sentence."""

from __future__ import annotations

import hashlib

import pytest

from app.host.layout import from_host_dir
from app.report.build import build_report, write_report
from app.report.context import ReportOptions


@pytest.fixture
def report_file(tmp_path, host_copy):
    return write_report(tmp_path / "r.zip", build_report(ReportOptions(from_host_dir(host_copy), platform="linux",
                                                                       with_bridge=False)))


def test_the_menus_offer_creating_and_opening_a_report(make_window):
    window = make_window()
    texts = [a.text() for m in window.menuBar().actions() for a in m.menu().actions()]
    assert "Create a host &report…" in texts and "Open &host report…" in texts


def test_create_lists_every_file_before_writing_then_writes_in_the_background(make_window, qtbot, tmp_path):
    from app.ui.report.actions import create_report

    window = make_window()
    dialog = create_report(window)
    dialog.bridge.setChecked(False)
    dialog.redact.setText("ECMA01, contoso.com")
    dialog.gather()
    qtbot.waitUntil(lambda: dialog.built is not None, timeout=20000)
    shown = [dialog.files.topLevelItem(i).text(0) for i in range(dialog.files.topLevelItemCount())]
    assert shown == [name for name, _size in dialog.built.members]
    assert "events/ECMA2Host.xml" in shown and "summary.md" in shown
    sizes = [dialog.files.topLevelItem(i).text(1) for i in range(dialog.files.topLevelItemCount())]
    assert all(s.endswith(" bytes") for s in sizes)
    left = dialog.left_out.text()
    assert "Left out" in left and "Nothing is written until you save" in dialog.status.text()
    # grouped by reason: what needs the Windows host is said once
    assert left.count("It needs the Windows host itself") == 1 and "the connection test" in left
    target = tmp_path / "out.zip"
    assert not target.exists()
    dialog.save_to(target)
    qtbot.waitUntil(lambda: dialog.written is not None, timeout=20000)
    assert target.read_bytes() == dialog.built.data
    assert b"ECMA01" not in target.read_bytes()


def test_a_report_opens_read_only_with_each_part(qtbot, report_file):
    from app.ui.launch import ensure_app
    from app.ui.report.actions import open_report

    ensure_app()
    before = hashlib.sha256(report_file.read_bytes()).hexdigest()
    siblings = set(report_file.parent.iterdir())
    window = open_report(None, str(report_file))
    qtbot.addWidget(window)
    assert window.read_only and not window.save_action.isEnabled() and not window.connector_actions.new_action.isEnabled()
    assert "host report (read-only)" in window.windowTitle()
    tabs = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert tabs[-3:] == ["Summary", "DLL pages", "Files"] and "Event log" in tabs and "Diagnostics" in tabs
    assert window.summary_view.toPlainText().startswith("ECMA2Host host report")
    model = window.connector_actions.model
    assert model.rowCount() == 2
    tokens = {model.index(r, 4).data() for r in range(model.rowCount())}
    assert tokens == {"encrypted"}  # the state the report recorded, not "set, not encrypted"
    qtbot.waitUntil(lambda: window.event_viewer.model.rowCount() > 0, timeout=20000)
    assert window.diagnostics.table.rowCount() > 5 and not window.diagnostics.run_button.isVisible()
    window.files_view.show_file("host/secrets.json")
    assert '"state": "encrypted"' in window.files_view.text.toPlainText()
    assert window.save() is False
    # every write the window's store offers (the wizard's Finish, Backups' Restore) is one sentence
    from app.errors import SaveRefused

    for write in (lambda: window.store.save(window.document, force=True),
                  lambda: window.store.write_bytes(b"<Configuration />"), lambda: window.store.restore("x")):
        with pytest.raises(SaveRefused, match="is a host report: nothing in it can be saved"):
            write()
    window.connector_actions.edit("CSV")
    assert "host report is read-only" in window.statusBar().currentMessage()
    window.close()
    assert hashlib.sha256(report_file.read_bytes()).hexdigest() == before
    assert set(report_file.parent.iterdir()) == siblings  # no lock, no backup, no temp file beside it


def test_a_bad_report_is_one_sentence(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from app.ui.launch import ensure_app
    from app.ui.report.actions import open_report

    ensure_app()
    said = []
    monkeypatch.setattr(QMessageBox, "warning", lambda _p, _t, text: said.append(text))
    bad = tmp_path / "bad.zip"
    bad.write_bytes(b"PK\x03\x04 not really")
    assert open_report(None, str(bad)) is None
    assert said == [f"{bad}: is not a zip file (or it is damaged)"]


def test_gui_report_refuses_a_bad_file_with_exit_2(qtbot, tmp_path, monkeypatch, capsys):
    from PySide6.QtWidgets import QMessageBox

    from app.ui.launch import ensure_app, open_gui, parse_gui_args

    ensure_app()
    monkeypatch.setattr(QMessageBox, "critical", lambda *a: None)
    missing = tmp_path / "missing.zip"
    assert open_gui(parse_gui_args(["--report", str(missing)])) == 2
    assert "missing.zip: cannot be read" in capsys.readouterr().err


def test_gathering_can_be_cancelled_and_nothing_is_written(make_window, qtbot, tmp_path, monkeypatch):
    import threading

    from app.report import build
    from app.ui.report.actions import create_report

    release = threading.Event()
    real = build.gather

    def slow(options, progress=None, cancelled=None):
        release.wait(10)  # the user presses Cancel while the first step runs
        return real(options, progress, cancelled)

    monkeypatch.setattr(build, "gather", slow)
    window = make_window()
    dialog = create_report(window)
    dialog.gather()
    assert dialog.gather_button.text() == "&Cancel"
    dialog.gather()  # Cancel
    release.set()
    qtbot.waitUntil(lambda: "cancelled" in dialog.status.text(), timeout=20000)
    assert dialog.built is None and dialog.gather_button.text() == "&Gather"
    assert not list(tmp_path.glob("*.zip"))
