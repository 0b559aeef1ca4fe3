"""The event viewer driven through its widgets, offscreen."""

from __future__ import annotations

import csv

import pytest
from PySide6.QtCore import Qt

from app.events.knowledge import Action, ActionKind
from app.events.sources.base import EventSource
from app.ui.events.dialogs import ImportDumpDialog
from app.ui.events.model import COLUMNS, FETCH
from app.ui.events.viewer import EventViewer
from tests.events.sample import (
    CSV_ATTRIBUTES,
    HR_ATTRIBUTES,
    event_xml,
    sample_events,
    synthetic_table,
    write_sample,
)


@pytest.fixture
def viewer(qtbot):
    widget = EventViewer()
    qtbot.addWidget(widget)
    widget.resize(1200, 800)
    widget.show()
    return widget


@pytest.fixture
def loaded(viewer, qtbot, tmp_path):
    path = write_sample(tmp_path / "ECMA2Host.xml")
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        assert viewer.open_source(path)
    return viewer


def _row_with(viewer, text):
    m = viewer.model
    for i in range(m.rowCount()):
        if text in m.table.messages[m.row_of(i)]:
            return i
    raise AssertionError(text)


def test_loads_in_background_and_shows_rows(loaded):
    assert len(loaded.model.table) == len(sample_events())
    assert loaded.model.rowCount() == len(sample_events())
    assert loaded.count_label.text() == f"{len(sample_events())} events"
    assert not loaded.progress.isVisible()
    assert loaded.model.data(loaded.model.index(0, 1))  # time shown local


def test_level_colour_icon_and_known_issue_column(loaded):
    m = loaded.model
    row = _row_with(loaded, "PowerShell 5.1 libraries")
    assert m.data(m.index(row, 0)) == "Error"
    assert m.data(m.index(row, 0), Qt.ItemDataRole.DecorationRole) is not None
    assert m.data(m.index(row, 0), Qt.ItemDataRole.ForegroundRole).color().name() == "#b3261e"
    known = [c for c, (k, _) in enumerate(COLUMNS) if k == "known"][0]
    assert "PowerShell 5.1" in m.data(m.index(row, known))


def test_known_error_button_emits_the_action(loaded, qtbot):
    loaded.view.selectRow(_row_with(loaded, "PowerShell 5.1 libraries"))
    assert loaded.known_frame.isVisible() and "WinSxS" in loaded.known_label.text()
    with qtbot.waitSignal(loaded.actionRequested) as signal:
        qtbot.mouseClick(loaded.known_button, Qt.MouseButton.LeftButton)
    assert signal.args == [Action(ActionKind.CONNECTOR, "CSV")]
    assert loaded.known_button.text() == "Open connector 'CSV'"
    loaded.view.selectRow(_row_with(loaded, "SSL certificate"))
    with qtbot.waitSignal(loaded.actionRequested) as signal:
        loaded.known_button.click()
    assert signal.args == [Action(ActionKind.CERTIFICATE)]
    assert loaded.known_button.text() == "Open the certificate dialog"
    loaded.view.selectRow(_row_with(loaded, "full import started"))
    assert not loaded.known_frame.isVisible()


def test_filters_combine_through_the_widgets(loaded, qtbot):
    loaded.level_boxes[4].setChecked(False)
    loaded.level_boxes[5].setChecked(False)
    errors_and_warnings = len(loaded.model.rows)
    assert 0 < errors_and_warnings < 30
    loaded.provider_combo.setCurrentText("ConnectorsLog")
    loaded.connector_combo.setCurrentText("HRDatabase")
    loaded.apply_filters()
    rows = loaded.model.rows
    assert rows and all("HRDatabase" in loaded.model.table.messages[r] for r in rows)
    assert loaded.count_label.text().endswith(f"of {len(sample_events())} events")


def test_search_highlight_details_and_regex_error(loaded):
    loaded.search_edit.setText("SCIM response")
    loaded.apply_filters()
    assert all("SCIM response" in loaded.model.table.messages[r] for r in loaded.model.rows)
    assert "background:#ffe066" in loaded.message_view.toHtml().replace(" ", "").replace("background-color", "background")
    assert "<Event" in loaded.xml_view.toPlainText()
    loaded.regex_box.setChecked(True)
    loaded.search_edit.setText("(broken")
    loaded.apply_filters()
    assert "not a valid regular expression" in loaded.warning_label.text()


def test_time_range_and_event_id(loaded):
    loaded.time_combo.setCurrentText("Last day of the log")
    day = len(loaded.model.rows)
    assert 0 < day < len(loaded.model.table)
    loaded.time_combo.setCurrentText("Custom range…")
    assert loaded.since_edit.isVisible()
    loaded.time_combo.setCurrentText("All time")
    loaded.event_id_edit.setText("42")
    loaded.apply_filters()
    assert loaded.model.rows == []


def test_last_hour_is_of_the_log_for_a_file_and_until_now_for_the_live_log(loaded):
    assert loaded.time_combo.itemText(1) == "Last hour of the log"
    assert "newest event (2024-05-" in loaded.time_combo.toolTip()

    class Live(EventSource):
        relative_to_now = True

    loaded.source = Live()  # as the live log would be: the sample's events are from May 2024
    loaded._label_time_choices()
    assert loaded.time_combo.itemText(3) == "Last week" and "from now" in loaded.time_combo.toolTip()
    loaded.time_combo.setCurrentText("Last week")
    assert loaded.model.rows == []


def test_sort_by_level_and_back(loaded):
    loaded.view.sortByColumn(0, Qt.SortOrder.AscendingOrder)
    assert loaded.model.data(loaded.model.index(0, 0)) == "Error"
    loaded.model.sort(-1)
    assert loaded.model.rows == sorted(loaded.model.rows)


def test_copy_and_export(loaded, tmp_path):
    loaded.level_boxes[4].setChecked(False)
    loaded.view.selectRow(0)
    text = loaded.copy_rows()
    assert text.splitlines()[0].startswith("Time (UTC)\tLevel") and len(text.splitlines()) == 2
    out = tmp_path / "out.csv"
    assert loaded.export_csv(out) == len(loaded.model.rows)
    rows = list(csv.reader(out.open(encoding="utf-8-sig")))
    assert rows[0][0] == "time" and len(rows) == len(loaded.model.rows) + 1


def test_follow_mode_picks_up_appended_events(viewer, qtbot, tmp_path):
    events = sample_events()
    path = tmp_path / "grow.xml"
    path.write_text("".join(event_xml(t, 4, p, m, n) for n, (t, _, p, m) in enumerate(events[:5], 1)))
    with qtbot.waitSignal(viewer.loaded, timeout=10000):
        viewer.open_source(path)
    viewer._follow_timer.setInterval(50)
    viewer.follow_box.setChecked(True)
    with path.open("a", encoding="utf-8") as fh:
        fh.write(event_xml(events[5][0], 2, "ECMA2Host", "appended error", 6))
    qtbot.waitUntil(lambda: len(viewer.model.table) == 6, timeout=5000)
    assert viewer.model.table.messages[-1] == "appended error"
    viewer.follow_box.setChecked(False)


def test_bad_file_is_one_sentence_not_a_crash(viewer, tmp_path):
    bad = tmp_path / "x.evtx"
    bad.write_bytes(b"\x00\x01garbage")
    assert not viewer.open_source(bad)
    assert str(bad) in viewer.warning_label.text()


def test_cancel_keeps_rows_read_so_far(viewer, qtbot, tmp_path):
    from tests.events.sample import write_synthetic_dump

    path = write_synthetic_dump(tmp_path / "big.xml", 60000)
    with qtbot.waitSignal(viewer.loaded, timeout=30000):
        viewer.open_source(path)
        viewer.cancel_load()
    assert 0 < len(viewer.model.table) < 60000
    assert "cancelled" in viewer.warning_label.text()


def test_live_log_unavailable_here_says_why(viewer):
    import sys

    if sys.platform == "win32":
        pytest.skip("Windows has a live log")
    viewer.open_live()
    assert "Windows" in viewer.warning_label.text()


def test_million_rows_fetch_lazily_and_filter(viewer):
    viewer.show_table(synthetic_table(1_000_000), "million")
    assert viewer.model.rowCount() == FETCH
    viewer.model.fetchMore()
    assert viewer.model.rowCount() == 2 * FETCH
    viewer.search_edit.setText("access is denied")
    viewer.apply_filters()
    assert 0 < len(viewer.model.rows) < 20000


def test_import_dump_dialog_compares_with_schema(loaded, qtbot):
    dialog = ImportDumpDialog(loaded.model.table, loaded.model.rows,
                              {"HRDatabase": HR_ATTRIBUTES, "CSV": CSV_ATTRIBUTES})
    qtbot.addWidget(dialog)
    dialog.connector_combo.setCurrentText("HRDatabase")
    assert dialog.grid.rowCount() > 10
    assert [dialog.extra_list.item(i).text() for i in range(dialog.extra_list.count())] == ["Office"]
    assert [dialog.missing_list.item(i).text() for i in range(dialog.missing_list.count())] == ["Manager"]
    dialog.attributes_edit.setText("")
    assert dialog.extra_list.count() == 0 and "enter the selected" in dialog.summary.text()


def test_screenshots(tmp_path):
    from tests.screens.events import screenshots

    paths = screenshots(tmp_path)
    assert paths and len(set(paths)) == len(paths)  # one picture per scene, none overwritten
    assert all(p.suffix == ".png" and p.stat().st_size > 10000 for p in paths)


def test_level_icon_stays_visible_on_a_selected_row(loaded):
    from PySide6.QtGui import QIcon

    model = loaded.model
    info = next(i for i in range(model.rowCount()) if model.data(model.index(i, 0)) == "Information")
    icon = model.data(model.index(info, 0), Qt.ItemDataRole.DecorationRole)

    def white(mode):  # a white backing the blue selection cannot swallow
        image = icon.pixmap(16, mode).toImage()
        colours = [image.pixelColor(x, y) for x in range(image.width()) for y in range(image.height())]
        return sum(1 for c in colours if c.alpha() > 200 and min(c.red(), c.green(), c.blue()) > 240)

    assert white(QIcon.Mode.Selected) > 2 * white(QIcon.Mode.Normal)
