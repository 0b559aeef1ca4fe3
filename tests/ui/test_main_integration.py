"""The main window with the other areas plugged in: the real connector wizard, import/export,
the event viewer's actions, the certificate dialog, diagnostics; and the gui / screenshots /
self-test entry points."""

from __future__ import annotations

import datetime as dt
import importlib
import os
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QSpinBox

from app.config.document import ConfigDocument
from app.events.knowledge import Action, ActionKind
from app.ui.main import areas
from app.wizard.page_keys import ATTRIBUTES, PROPERTIES

pytestmark = pytest.mark.usefixtures("dialogs")


def on_disk(window) -> ConfigDocument:
    return ConfigDocument.load(window.store.path)


# -- the real connector wizard -------------------------------------------------------------------
def test_edit_opens_the_real_wizard_on_the_page_and_field(window):
    wizard_module = importlib.import_module("app.ui.wizard.connector_wizard")
    wizard = window.connector_actions.edit("HRDatabase", start_page=PROPERTIES, focus_field="AutosyncTimer")
    assert isinstance(wizard, wizard_module.ConnectorWizard)
    assert "HRDatabase" in wizard.windowTitle()
    QApplication.processEvents()
    assert isinstance(QApplication.focusWidget(), QSpinBox)  # the timer, as the finding asked
    wizard.close()


def test_problem_on_a_later_page_starts_the_wizard_there(window):
    wizard = window.connector_actions.edit("CSV", start_page=ATTRIBUTES)
    assert wizard.currentId() == wizard.ids[ATTRIBUTES]
    wizard.close()


def test_real_wizard_save_is_adopted_and_selected(window):
    wizard = window.connector_actions.new()
    doc = ConfigDocument.from_bytes(window.document.to_bytes(), str(window.store.path))
    from copy import deepcopy

    el = deepcopy(window.document.find_connector("CSV").el)
    el.find("ECMAConfig/ProfileName").text = "CSV2"
    doc.add_connector(el)
    result = window.store.save(doc)
    wizard.saved.emit(result)
    assert window.document is result.document and window.connector_actions.selected_name() == "CSV2"
    wizard.close()


# -- import / export ---------------------------------------------------------------------------
def test_export_one_and_all_leave_secrets_out(window, tmp_path):
    window.connector_actions.select("CSV")
    one = window.connector_actions.export(str(tmp_path / "csv.xml"))
    every = window.connector_actions.export_all(str(tmp_path / "all.xml"))
    assert [c.name for c in ConfigDocument.load(one).connectors] == ["CSV"]
    exported = ConfigDocument.load(every)
    assert [c.name for c in exported.connectors] == ["CSV", "HRDatabase"]
    assert all(c.secret_token == "" for c in exported.connectors)
    assert "secrets left out" in window.statusBar().currentMessage()


def test_import_a_connector_export_with_a_clash_renames(window, tmp_path, monkeypatch):
    from app.migrate.connectors import RENAME, ClashAnswer

    window.connector_actions.select("CSV")
    export = window.connector_actions.export(str(tmp_path / "csv.xml"))
    reports, clashes = [], []
    monkeypatch.setattr("app.ui.main.transfer.show_report", lambda *a: reports.append(a))
    monkeypatch.setattr("app.ui.main.transfer.ask_clash",
                        lambda parent, name, suggested: clashes.append(name) or ClashAnswer(RENAME, suggested))
    records = window.connector_actions.import_(str(export))
    assert clashes == ["CSV"] and records[0].action == "renamed"
    names = [c.name for c in on_disk(window).connectors]
    assert names == ["CSV", "HRDatabase", "CSV2"]
    assert window.connector_actions.selected_name() == "CSV2" and len(window.store.backups()) == 1
    assert "enter them again" in reports[0][2]  # the export had its secrets blanked


def test_import_of_an_unknown_file_says_why(window, tmp_path, dialogs):
    bad = tmp_path / "notes.xml"
    bad.write_bytes(b"<notes/>")
    assert window.connector_actions.import_(str(bad)) is None
    assert "notes.xml" in dialogs.texts("warning")[-1] and "<notes>" in dialogs.texts("warning")[-1]


def test_import_after_discard_whose_reload_fails_says_why(window, tmp_path, dialogs):
    """Unsaved edits, "Discard" in the question, and the file on disk turned unreadable meanwhile:
    the import says so in one sentence (it used to fail on the missing document)."""
    from PySide6.QtWidgets import QMessageBox

    window.connector_actions.select("CSV")
    export = window.connector_actions.export(str(tmp_path / "csv.xml"))
    window.document.setting.port = "8590"
    assert window.is_unsaved()
    window.store.path.write_bytes(b"<Configuration><Connectors>")
    dialogs.answers = [QMessageBox.StandardButton.Discard]
    assert window.connector_actions.import_(str(export)) is None
    assert window.document is None
    assert "could not be read" in dialogs.texts("warning")[-1]


def test_import_of_a_mim_export_goes_through_the_mim_dialog_to_the_wizard(window, data, qtbot):
    dialog_module = importlib.import_module("app.ui.migrate.import_dialog")
    wizard_module = importlib.import_module("app.ui.wizard.connector_wizard")
    dialog = window.connector_actions.import_(str(data / "ma-export-powershell.xml"))
    assert isinstance(dialog, dialog_module.MimImportDialog) and dialog.isVisible()
    assert not dialog.open_button.isEnabled()  # two object classes: ECMA2Host runs one
    dialog.choose_object_type("User")
    qtbot.mouseClick(dialog.open_button, Qt.MouseButton.LeftButton)
    wizard = window.wizard
    assert isinstance(wizard, wizard_module.ConnectorWizard)
    assert wizard.session.is_new and wizard.session.from_spec
    assert len(on_disk(window).connectors) == 2  # nothing saved until the wizard's Finish
    wizard.close()


# -- event viewer, certificates, diagnostics --------------------------------------------------------
def test_event_log_tab_opens_the_sample_log(window, qtbot):
    assert window.event_viewer.isVisibleTo(window) or window.event_viewer.parent() is not None
    qtbot.waitUntil(lambda: window.event_viewer.model.rowCount() > 0, timeout=10000)


def test_event_viewer_actions_are_routed(window, monkeypatch):
    opened, regenerated = [], []
    monkeypatch.setattr(window.connector_actions, "edit", lambda name, **kw: opened.append(name))
    monkeypatch.setattr(window, "regenerate_certificate", lambda: regenerated.append(True))
    window.event_viewer.actionRequested.emit(Action(ActionKind.CONNECTOR, "HRDatabase"))
    window.event_viewer.actionRequested.emit(Action(ActionKind.CERTIFICATE))
    assert opened == ["HRDatabase"] and regenerated == [True]
    window.event_viewer.actionRequested.emit(Action(ActionKind.DOCTOR))
    assert window.tabs.currentWidget().widget() is window.diagnostics


def test_diagnostics_tab_is_there(window):
    titles = [window.tabs.tabText(i).replace("&", "") for i in range(window.tabs.count())]
    assert titles == ["Connectors", "Settings", "Event log", "Diagnostics", "Entra"]


def _status_expiring_in(days: int):
    from app.certs.generate import GenerationRequest, KeySpec, generate
    from app.certs.status import gather_status

    now = dt.datetime.now(dt.UTC)
    info = generate(GenerationRequest(("ecmahost",), KeySpec.P256, 730),
                    now=now - dt.timedelta(days=730 - days)).info()
    return gather_status(info.thumbprint, host_names=["ecmahost"], endpoint=("localhost", 8585),
                         fetch=lambda h, p: info)


def test_certificate_status_fills_settings_and_banner(make_window, qtbot):
    status = _status_expiring_in(5)
    asked = []
    window = make_window(certificate_status=lambda configured, port: asked.append(port) or status)
    assert asked == [] and window.expiry_banner is None  # the lookup waits for the first paint
    window.show()
    qtbot.waitUntil(lambda: getattr(window, "certificate_status", None) is status, timeout=5000)
    assert window.expiry_banner is not None and not window.expiry_banner.isHidden()
    assert "expires in" in window.expiry_banner.text
    widget = window.settings_tab.certificate_widget
    assert widget.value("Thumbprint") == status.served.thumbprint


def test_regenerate_writes_the_thumbprint_through_the_window_store(window, monkeypatch):
    from app.ui.main.certificate import DocumentThumbprint

    target = DocumentThumbprint(window, window.document)
    assert target.read() == window.document.setting.certificate
    target.write("A" * 40)  # what the plan's step does, from its worker thread
    assert on_disk(window).setting.certificate == "A" * 40  # the window's lock did not refuse it
    window.adopt(target.result, "Certificate thumbprint saved")
    assert window.document.setting.certificate == "A" * 40 and not window.check_disk()


def test_regenerate_opens_the_certificate_dialog(window):
    window.settings_tab.regenerate_button.click()
    dialog = window.certificate_dialog
    assert dialog.isVisible() and "certificate" in dialog.windowTitle().lower()
    dialog.close()


def test_regenerate_on_an_unreadable_file_says_so(window, dialogs):
    """The event log's "regenerate the certificate" reaches here even when the file cannot be
    read: it used to call that "read-only", and to fail when "Discard" reloaded an unreadable file."""
    from PySide6.QtWidgets import QMessageBox

    window.document.setting.port = "8590"
    window.store.path.write_bytes(b"<Configuration><Setting>")
    dialogs.answers = [QMessageBox.StandardButton.Discard]
    window.handle_event_action(Action(ActionKind.CERTIFICATE))  # Discard: the reload fails
    assert window.document is None and not hasattr(window, "certificate_dialog")
    window.handle_event_action(Action(ActionKind.CERTIFICATE))  # no document from the start
    said = dialogs.texts("information")
    assert len(said) == 2 and all("could not be read" in text for text in said)


def test_restart_offer_off_windows_says_it_is_done_on_the_host(window, dialogs):
    class Unavailable:
        def available(self) -> bool:
            return False

    window._service = Unavailable()
    window.document.connector("CSV").description = "changed"
    assert window.save()
    assert "on the host" in window.statusBar().currentMessage()
    assert dialogs.texts("question") == []


def test_restart_offer_on_a_host_restarts_when_asked(window, dialogs, qtbot):
    class Service:
        def available(self) -> bool:
            return True
        calls = 0

        def restart_sentence(self):
            Service.calls += 1
            return "The Microsoft ECMA2Host service is running. A restart runs a full import of every connector."

    window._service = Service()
    window.document.connector("CSV").description = "changed"
    assert window.save()
    assert "full import" in dialogs.texts("question")[-1]
    qtbot.waitUntil(lambda: Service.calls == 1 and "is running" in window.statusBar().currentMessage(),
                    timeout=5000)


# -- entry points --------------------------------------------------------------------------------
def test_gui_command_with_a_bad_config_says_one_sentence(capsys, dialogs, tmp_path):
    from app.ui.launch import run_gui

    missing = tmp_path / "nope" / "Configuration.xml"
    code = run_gui(["--host-dir", str(missing.parent)])
    assert code == 2
    assert "is not a folder" in capsys.readouterr().err
    assert dialogs.texts("critical")


def test_cli_registers_gui_and_screenshots():
    from app.cli import build_parser

    parser = build_parser()
    args = parser.parse_args(["screenshots", "out", "--only", "main"])
    assert args.only == ["main"] and args.func.__name__ == "cmd_screenshots"
    assert parser.parse_args(["gui", "--theme", "dark"]).theme == "dark"


def test_screenshots_of_the_main_window(tmp_path, host_layout, qapp):
    from tests.screens import main_screens

    paths = main_screens(tmp_path, host_layout)
    names = {p.name for p in paths}
    assert {"main-window.png", "main-window-tab-settings.png", "problems-panel.png",
            "dialog-backups.png", "dialog-delete-connector.png", "main-window-read-only.png",
            "main-window-dark.png", "main-window-changed-on-disk.png"} <= names
    assert all(p.stat().st_size > 5000 for p in paths)


def test_area_screens_are_found_and_missing_ones_noted():
    from tests.screens import area_screen_functions

    found, notes = area_screen_functions()
    packages = {p.name for p in (Path(areas.__file__).parents[1]).iterdir()
                if p.is_dir() and (p / "__init__.py").exists() and p.name != "main"}
    for area in packages:
        has = (Path(__file__).parents[1] / "screens" / f"{area}.py").exists()
        assert (area in found) == has
        assert has or any(area in n for n in notes)


def test_self_test_passes(capsys):
    from app.ui import selftest

    assert selftest.run() == 0
    out = capsys.readouterr().out
    assert "self-test passed" in out and "main window renders" in out
    assert os.environ.get("ECMA_WIZARD_DATA")  # restored for the rest of the run


@pytest.mark.skipif(os.name == "nt", reason="off Windows the store is unavailable and no endpoint is read")
def test_default_certificate_status_off_windows_says_why_it_is_empty():
    status = areas.certificate_status("3F6D1C0A9B8E7D6C5B4A39281706F5E4D3C2B1A0", 8585)
    assert status.configured_thumbprint == "3F6D1C0A9B8E7D6C5B4A39281706F5E4D3C2B1A0"
    assert status.certificate is None and status.notes  # says the Windows store is needed


def test_run_gui_opens_the_named_file(host_layout, monkeypatch):
    import sys

    from PySide6.QtWidgets import QApplication

    from app.ui import launch

    monkeypatch.setattr(sys, "excepthook", sys.excepthook)  # run_gui installs its own
    shown = []
    monkeypatch.setattr(QApplication, "exec", lambda self: shown.extend(
        w for w in QApplication.topLevelWidgets() if w.objectName() == "mainWindow" and w.isVisible()) or 0)
    assert launch.run_gui(["--config", str(host_layout.config_path)]) == 0
    window = shown[-1]
    assert window.store.path == host_layout.config_path and window.store.lock.held
    window.document = None
    window.close()
    assert not window.store.lock.held


def test_no_display_is_one_sentence_not_a_qt_abort():
    from app.ui.launch import no_display_reason

    assert "no display" in no_display_reason({}, "linux")
    assert no_display_reason({"DISPLAY": ":0"}, "linux") is None
    assert no_display_reason({"WAYLAND_DISPLAY": "wayland-0"}, "linux") is None
    assert no_display_reason({"QT_QPA_PLATFORM": "offscreen"}, "linux") is None
    assert no_display_reason({}, "win32") is None


def test_hidden_tabs_are_built_when_chosen_or_after_the_first_paint(make_window, qtbot):
    window = make_window()
    pages = [window.tabs.widget(i) for i in range(2, window.tabs.count())]
    assert all(p.widget() is None for p in pages)  # nothing of the event log or diagnostics yet
    window.tabs.setCurrentIndex(3)
    assert pages[1].widget() is not None and pages[0].widget() is None
    window.show()
    qtbot.waitUntil(lambda: pages[0].widget() is not None, timeout=5000)
    assert window.event_viewer is pages[0].widget()
