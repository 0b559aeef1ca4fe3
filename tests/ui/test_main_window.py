"""The main window driven through its real widgets (pytest-qt): the connector list, Settings,
Save / Revert / Backups, the edit lock, changes on disk, Delete, the Problems panel."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt, Signal
from PySide6.QtWidgets import QDialog, QMessageBox

from app.config.document import ConfigDocument
from app.config.rules import validate
from app.ui.main import areas
from app.ui.main.connector_model import COLUMNS
from app.wizard.page_keys import PROPERTIES

pytestmark = pytest.mark.usefixtures("dialogs")


def cell(window, row: int, column: str) -> str:
    proxy = window.connector_actions.proxy
    return proxy.index(row, COLUMNS.index(column)).data()


def rows_by_name(window) -> dict[str, int]:
    proxy = window.connector_actions.proxy
    return {proxy.index(r, 0).data(): r for r in range(proxy.rowCount())}


def shown(widget) -> bool:
    return not widget.isHidden()


def on_disk(window) -> ConfigDocument:
    return ConfigDocument.load(window.store.path)


class FakeWizard(QDialog):
    """Stands in for the connector wizard: records how it was opened."""

    saved = Signal(object)
    opened: list[dict] = []

    def __init__(self, document, store, layout, connector_name=None, start_page=None,
                 focus_field=None, parent=None) -> None:
        super().__init__(parent)
        self.document, self.store, self.connector_name = document, store, connector_name
        FakeWizard.opened.append({"connector_name": connector_name, "start_page": start_page,
                                  "focus_field": focus_field, "document": document})


@pytest.fixture
def fake_wizard(monkeypatch):
    FakeWizard.opened = []
    monkeypatch.setattr(areas, "connector_wizard", lambda: FakeWizard)
    return FakeWizard


# -- the list ----------------------------------------------------------------------------------
def test_lists_the_sample_connectors_with_their_state(window):
    rows = rows_by_name(window)
    assert set(rows) == {"CSV", "HRDatabase"}
    csv, hr = rows["CSV"], rows["HRDatabase"]
    assert cell(window, csv, "Extension DLL") == "Microsoft.IAM.Connector.PowerShell.dll"
    assert cell(window, csv, "Autosync timer") == "120 min"
    assert cell(window, csv, "Validation") == "OK"
    assert cell(window, hr, "Autosync timer") == "30 min"
    assert cell(window, hr, "Validation") == "1 warning"  # below Microsoft's 120-minute floor
    assert cell(window, csv, "Secret token") == "encrypted"
    assert cell(window, csv, "Last modified")[:2] == "20"  # the .NET long date, shortened
    assert window.store.lock.held and window.store.lock.path.exists()
    assert "Configuration.xml" in window.windowTitle() and not window.isWindowModified()


def test_filter_and_sort(window, qtbot):
    qtbot.keyClicks(window.connectors_tab.filter, "genericsql")
    assert list(rows_by_name(window)) == ["HRDatabase"]
    window.connectors_tab.filter.clear()
    window.connectors_tab.table.sortByColumn(COLUMNS.index("Autosync timer"), Qt.SortOrder.AscendingOrder)
    assert list(rows_by_name(window)) == ["HRDatabase", "CSV"]  # 30 before 120: numbers, not text


def test_token_states_are_told_apart(window):
    doc = window.document
    doc.connector("CSV").secret_token = ""
    doc.connector("HRDatabase").secret_token = "plain-text-token-123"
    window.refresh()
    rows = rows_by_name(window)
    assert cell(window, rows["CSV"], "Secret token") == "not set"
    assert cell(window, rows["HRDatabase"], "Secret token") == "set, not encrypted"
    assert "plain-text-token-123" not in str([cell(window, r, c) for r in rows.values() for c in COLUMNS])


def test_empty_file_shows_what_to_do(make_window, host_layout):
    doc = ConfigDocument.load(host_layout.config_path)
    for name in ("CSV", "HRDatabase"):
        doc.remove_connector(name)
    host_layout.config_path.write_bytes(doc.to_bytes())
    window = make_window()
    assert window.connectors_tab.stack.currentWidget() is window.connectors_tab.empty
    assert not window.connector_actions.edit_action.isEnabled() and window.connector_actions.new_action.isEnabled()


# -- settings, save, revert ----------------------------------------------------------------------
def test_port_edit_marks_unsaved_and_save_writes_it_with_a_backup(window, qtbot):
    port = window.settings_tab.port
    port.selectAll()
    qtbot.keyClicks(port, "8586")
    assert window.isWindowModified() and window.save_action.isEnabled()
    before = window.document
    assert window.save()
    assert on_disk(window).setting.port == "8586"
    assert window.document is not before and not window.isWindowModified()
    assert len(window.store.backups()) == 1
    assert not window.save_action.isEnabled()


def test_typing_the_old_value_back_clears_the_marker(window, qtbot):
    port = window.settings_tab.port
    port.selectAll()
    qtbot.keyClicks(port, "9000")
    assert window.isWindowModified()
    port.selectAll()
    qtbot.keyClicks(port, "8585")
    qtbot.waitUntil(lambda: not window.isWindowModified(), timeout=2000)  # after the typing pause
    assert not window.save_action.isEnabled()


def test_ctrl_s_right_after_typing_saves(window, qtbot):
    port = window.settings_tab.port
    port.selectAll()
    qtbot.keyClicks(port, "8599")
    assert window.save_action.isEnabled()  # no wait for the revalidation
    window.activateWindow()
    window.save_action.trigger()
    assert on_disk(window).setting.port == "8599" and not window.isWindowModified()


def test_invalid_port_is_not_written_to_the_document(window, qtbot):
    port = window.settings_tab.port
    port.selectAll()
    qtbot.keyClicks(port, "99999")  # the validator refuses the last digit
    assert int(window.document.setting.port) <= 65535


def test_revert_reloads_after_asking(window, qtbot, dialogs):
    window.settings_tab.port.selectAll()
    qtbot.keyClicks(window.settings_tab.port, "9000")
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    window.revert()
    assert window.document.setting.port == "9000"
    window.revert()  # default answer: Yes
    assert window.document.setting.port == "8585" and not window.isWindowModified()
    assert window.settings_tab.port.text() == "8585"


def test_close_with_unsaved_changes_asks_and_can_save(make_window, qtbot, dialogs):
    window = make_window()
    window.settings_tab.port.selectAll()
    qtbot.keyClicks(window.settings_tab.port, "8600")
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    assert not window.close() and window.store.lock.held
    dialogs.answers = [QMessageBox.StandardButton.Save]
    assert window.close()
    assert on_disk(window).setting.port == "8600" and not window.store.lock.held


# -- one editor at a time, changes on disk --------------------------------------------------------
def test_second_window_is_read_only_with_a_banner(window, make_window, host_layout):
    second = make_window(host_layout)
    second.show()
    assert second.read_only and shown(second.lock_bar)
    assert "being edited by" in second.lock_bar.label.text()
    assert not second.connector_actions.new_action.isEnabled() and not second.connector_actions.delete_action.isEnabled()
    assert second.connector_actions.export_action.isEnabled()  # looking and exporting stay possible
    second.settings_tab.port.setText("1234")
    second.settings_tab.port.textEdited.emit("1234")
    assert not second.save() and on_disk(second).setting.port == "8585"
    window.store.lock.release()
    second.lock_bar.button("Try again").click()
    assert not second.read_only and not shown(second.lock_bar)


def test_change_on_disk_offers_reload_and_save_is_refused(window, qtbot, dialogs):
    path = window.store.path
    path.write_bytes(path.read_bytes().replace(b"<Port>8585</Port>", b"<Port>8590</Port>"))
    window.settings_tab.port.selectAll()
    qtbot.keyClicks(window.settings_tab.port, "8600")
    assert window.check_disk() and shown(window.disk_bar)
    assert "changed on disk" in window.disk_bar.label.text()
    assert not window.save()
    assert "changed on disk by another program" in dialogs.texts("warning")[-1]
    assert on_disk(window).setting.port == "8590"  # the other program's change survived
    window.disk_bar.button("Reload").click()
    assert window.document.setting.port == "8590" and not shown(window.disk_bar)


def test_watcher_notices_an_external_replace(window, qtbot):
    path = window.store.path
    data = path.read_bytes().replace(b"<Port>8585</Port>", b"<Port>8591</Port>")
    tmp = path.with_name("other.tmp")
    tmp.write_bytes(data)
    tmp.replace(path)  # as an editor's atomic save does
    qtbot.waitUntil(lambda: shown(window.disk_bar), timeout=5000)


def test_unreadable_file_leaves_backups_reachable(make_window, host_layout):
    host_layout.config_path.write_bytes(b"<Configuration><Connectors>")
    window = make_window()
    assert window.document is None and shown(window.disk_bar)
    assert "cannot be read" in window.disk_bar.label.text()
    assert window.disk_bar.button("Backups…") is not None
    assert not window.connector_actions.new_action.isEnabled() and window.backups_action.isEnabled()


def test_a_connector_link_on_an_unreadable_file_says_why_instead_of_failing(make_window, host_layout):
    """The event log's "open this connector" (and a finding's) reach the wizard even when the file
    could not be read; it used to fail on the missing document (found by annotating app/ui)."""
    from app.events.knowledge import Action, ActionKind

    host_layout.config_path.write_bytes(b"<Configuration><Connectors>")
    window = make_window()
    window.handle_event_action(Action(ActionKind.CONNECTOR, "HRDatabase"))
    assert not hasattr(window, "wizard")
    assert "could not be read" in window.statusBar().currentMessage()


# -- delete, backups ---------------------------------------------------------------------------
def test_delete_confirmed_removes_saves_and_backs_up(window, monkeypatch):
    asked = []

    class Box:
        def exec(self):
            return 0

        def clickedButton(self):
            return "delete"

    def confirm(parent, name, file_name, unsaved):
        asked.append(name)
        return Box(), "delete"

    monkeypatch.setattr("app.ui.main.actions.delete_confirmation", confirm)
    window.connector_actions.select("CSV")
    window.connector_actions.delete_action.trigger()
    assert asked == ["CSV"]
    assert [c.name for c in on_disk(window).connectors] == ["HRDatabase"]
    assert list(rows_by_name(window)) == ["HRDatabase"]
    backup = ConfigDocument.load(window.store.backups()[0].path)
    assert backup.connector("CSV") is not None  # the backup holds what was deleted


def test_delete_cancelled_changes_nothing(window, monkeypatch):
    from app.ui.main.actions import delete_confirmation

    def confirm(*args):
        box, _delete = delete_confirmation(*args)
        box.exec = lambda: 0  # no click: clickedButton() is None, as after Escape
        return box, _delete

    monkeypatch.setattr("app.ui.main.actions.delete_confirmation", confirm)
    data = window.store.path.read_bytes()
    assert not window.connector_actions.delete("CSV")
    assert window.store.path.read_bytes() == data and window.store.backups() == []


def test_delete_question_defaults_to_cancel(window):
    from app.ui.main.actions import delete_confirmation

    box, delete = delete_confirmation(window, "CSV", "Configuration.xml", False)
    assert box.defaultButton() is not delete
    assert "backup" in box.text()


def test_backups_dialog_lists_previews_and_restores(window):
    window.document.connector("HRDatabase").autosync_timer = "240"
    window.save()
    dialog = window.show_backups()
    assert dialog.list.topLevelItemCount() == 1
    assert "AutosyncTimer" in dialog.changes.toPlainText() and "'240' -> '30'" in dialog.changes.toPlainText()
    assert dialog.restore_selected(confirm=False)
    assert on_disk(window).connector("HRDatabase").autosync_timer == "30"
    assert window.document.connector("HRDatabase").autosync_timer == "30"
    assert dialog.list.topLevelItemCount() == 2  # the restore backed up the file it replaced
    dialog.close()


def test_backups_restore_is_off_when_read_only(window, make_window, host_layout):
    window.document.connector("HRDatabase").autosync_timer = "240"
    window.save()
    second = make_window(host_layout)
    dialog = second.show_backups()
    assert not dialog.restore_button.isEnabled() and not dialog.restore_selected(confirm=False)
    dialog.close()


# -- problems panel ----------------------------------------------------------------------------
def test_problems_panel_lists_every_finding(window):
    window.document.setting.port = "0"
    window.document.connector("CSV").secret_token = "short"
    window.refresh()
    assert len(window.problems.visible_findings()) == len(validate(window.document)) >= 3
    window.problems.filter.setCurrentIndex(2)  # errors only
    assert all(f.severity == "error" for f in window.problems.visible_findings())


def test_activating_a_settings_finding_focuses_the_port(window, qtbot):
    window.document.setting.port = "0"
    window.refresh()
    row = next(i for i, f in enumerate(window.problems.visible_findings()) if f.field == "Port")
    assert window.settings_tab.port_problem.text().startswith("Port '0'")
    window.problems.activate_row(row)
    assert window.tabs.currentWidget() is window.settings_tab
    qtbot.waitUntil(lambda: window.settings_tab.port.hasFocus() or not window.isActiveWindow(), timeout=2000)


def test_activating_a_connector_finding_opens_the_wizard_on_its_page(window, fake_wizard):
    row = next(i for i, f in enumerate(window.problems.visible_findings()) if f.connector == "HRDatabase")
    window.problems.activate_row(row)
    assert fake_wizard.opened[-1] | {"document": None} == {
        "connector_name": "HRDatabase", "start_page": PROPERTIES, "focus_field": "AutosyncTimer",
        "document": None}


# -- the wizard's wiring -------------------------------------------------------------------------
def test_double_click_edits_the_connector(window, qtbot, fake_wizard):
    table = window.connectors_tab.table
    row = rows_by_name(window)["HRDatabase"]
    rect = table.visualRect(window.connector_actions.proxy.index(row, 0))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    qtbot.mouseDClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert fake_wizard.opened[-1]["connector_name"] == "HRDatabase"


def test_enter_on_the_table_edits(window, qtbot, fake_wizard):
    window.connector_actions.select("CSV")
    window.connectors_tab.table.setFocus()
    qtbot.keyClick(window.connectors_tab.table, Qt.Key.Key_Return)
    assert fake_wizard.opened and fake_wizard.opened[-1]["connector_name"] == "CSV"


def test_wizard_save_is_adopted(window, fake_wizard):
    window.connector_actions.new_action.trigger()
    wizard = window.wizard
    doc = ConfigDocument.from_bytes(window.document.to_bytes(), str(window.store.path))
    doc.connector("CSV").autosync_timer = "180"
    result = window.store.save(doc)
    wizard.saved.emit(result)
    assert window.document is result.document
    assert cell(window, rows_by_name(window)["CSV"], "Autosync timer") == "180 min"


def test_unsaved_edits_are_settled_before_the_wizard_opens(window, qtbot, dialogs, fake_wizard):
    window.settings_tab.port.selectAll()
    qtbot.keyClicks(window.settings_tab.port, "8600")
    dialogs.answers = [QMessageBox.StandardButton.Cancel]
    window.connector_actions.edit("CSV")
    assert fake_wizard.opened == []
    dialogs.answers = [QMessageBox.StandardButton.Save]
    window.connector_actions.edit("CSV")
    assert on_disk(window).setting.port == "8600" and fake_wizard.opened


# -- keyboard and accessibility ----------------------------------------------------------------
def test_every_input_has_an_accessible_name(window):
    """On every tab, the other areas' tabs included."""
    from PySide6.QtWidgets import (
        QAbstractButton,
        QAbstractItemView,
        QAbstractSpinBox,
        QComboBox,
        QLabel,
        QLineEdit,
        QPlainTextEdit,
        QTextEdit,
    )

    unnamed = []
    for index in range(window.tabs.count()):
        window.tabs.setCurrentIndex(index)
        buddies = {label.buddy() for label in window.findChildren(QLabel) if label.buddy() is not None}
        for kind in (QLineEdit, QComboBox, QAbstractItemView, QAbstractButton, QAbstractSpinBox,
                     QPlainTextEdit, QTextEdit):
            for widget in window.findChildren(kind):
                if not widget.isVisibleTo(window) or widget.focusPolicy() == Qt.FocusPolicy.NoFocus \
                        or widget.objectName() == "qt_spinbox_lineedit":  # the spin box is named
                    continue
                named = widget.accessibleName() or widget in buddies or (
                    isinstance(widget, QAbstractButton) and widget.text().strip("&…"))
                if not named:
                    unnamed.append(f"{window.tabs.tabText(index)}: {type(widget).__name__}")
    window.tabs.setCurrentIndex(0)
    assert unnamed == []


def test_tab_order_in_the_connectors_tab(window):
    tab = window.connectors_tab
    order, widget = [], tab.filter
    for _ in range(4):
        order.append(widget)
        widget = widget.nextInFocusChain()
        while widget.focusPolicy() == Qt.FocusPolicy.NoFocus or not widget.isVisibleTo(window):
            widget = widget.nextInFocusChain()
    assert order[0] is tab.filter and order[1] is tab.table
    assert order[2].text().replace("&", "") == "New connector…"


def test_keyboard_shortcuts_reach_tabs_and_panel(window, qtbot):
    window.activateWindow()
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    assert window.tabs.currentWidget() is window.settings_tab


def test_dark_palette_keeps_text_readable(window, qapp):
    from app.ui.theme import apply_theme, is_dark

    try:
        apply_theme(qapp, "dark")
        qapp.processEvents()
        assert is_dark(window)
        window.check_disk()
        window.lock_bar.show_message("warning", "test")
        assert "#ffe9a8" in window.lock_bar.styleSheet()  # the dark variant's text colour
        assert not window.grab().isNull()
    finally:
        apply_theme(qapp, "light")
        qapp.processEvents()
    assert not is_dark(window)


def test_clicking_in_the_problems_view_does_not_open_by_itself(window, qtbot, fake_wizard):
    view = window.problems.view
    rect = view.visualRect(window.problems.proxy.index(0, 0))
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center() + QPoint(0, 0))
    assert fake_wizard.opened == []
    assert "What to do" in window.problems.detail.text()


def test_problems_are_reachable_and_opened_by_keyboard(window, qtbot, fake_wizard):
    window.activateWindow()
    window.focus_problems()
    view = window.problems.view
    assert view.hasFocus() or not window.isActiveWindow()
    assert view.currentIndex().isValid()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert fake_wizard.opened[-1]["connector_name"] == "HRDatabase"


def test_last_modified_reads_every_hour_of_dotnets_long_date():
    import datetime as dt

    from app.config.builders import dotnet_long_datetime
    from app.ui.main.connector_model import parse_dotnet_date

    for hour in range(24):
        when = dt.datetime(2024, 5, 6, hour, 7, 8)
        assert parse_dotnet_date(dotnet_long_datetime(when)) == when
    assert parse_dotnet_date("Thursday, April 27, 2023 9:09:03 PM") == dt.datetime(2023, 4, 27, 21, 9, 3)
    assert parse_dotnet_date("Friday, February 30, 2024 1:00:00 PM") is None
    assert parse_dotnet_date("not a date") is None
