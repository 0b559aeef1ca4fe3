"""Render the event viewer and its dialogs to PNG offscreen, for the screenshots command."""

from __future__ import annotations

import time
from pathlib import Path
from typing import cast

from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication

from app.paths import data_dir, resources_dir
from tests.events.sample import CSV_ATTRIBUTES, HR_ATTRIBUTES, synthetic_table, write_sample

MILLION = 1_000_000


def _settle(app: QApplication, viewer, timeout: float = 120.0) -> None:
    # QEventLoop.processEvents, not QApplication.processEvents: the latter leaks a reference to
    # None per call under PySide6 6.12 + CPython 3.11 and a tight loop ends in a fatal error
    loop = QEventLoop()
    deadline = time.monotonic() + timeout
    while viewer.is_loading() and time.monotonic() < deadline:
        loop.processEvents(QEventLoop.ProcessEventsFlag.AllEvents, 50)
    for _ in range(5):
        loop.processEvents()


def _sample_path() -> Path:
    path = resources_dir() / "sample-host" / "Logs" / "ECMA2Host.xml"
    return path if path.is_file() else write_sample(data_dir() / "ECMA2Host-sample.xml")


def _row_of_record(viewer, record_id: int) -> int:
    table = viewer.model.table
    for i, row in enumerate(viewer.model.rows[:viewer.model.rowCount()]):
        if table.record_ids[row] == record_id:
            return i
    return 0


def screenshots(outdir: Path) -> list[Path]:
    from app.ui.events.dialogs import ImportDumpDialog
    from app.ui.events.window import EventViewerWindow

    app = cast(QApplication, QApplication.instance() or QApplication([]))
    outdir.mkdir(parents=True, exist_ok=True)
    out: list[Path] = []

    def save(widget, name: str) -> None:
        QEventLoop().processEvents()
        path = outdir / name
        widget.grab().save(str(path))
        out.append(path)

    window = EventViewerWindow()
    viewer = window.viewer
    viewer.set_selected_attributes({"HRDatabase": HR_ATTRIBUTES, "CSV": CSV_ATTRIBUTES})
    window.show()
    viewer.open_source(_sample_path())
    _settle(app, viewer)
    viewer.view.selectRow(_row_of_record(viewer, 7))
    save(window, "events-sample.png")

    viewer.level_boxes[4].setChecked(False)
    viewer.level_boxes[5].setChecked(False)
    viewer.view.selectRow(_row_of_record(viewer, 152))
    save(window, "events-errors-certificate.png")

    for box in viewer.level_boxes.values():
        box.setChecked(True)
    viewer.search_edit.setText("HRDatabase")
    viewer.apply_filters()
    viewer.view.selectRow(2)
    save(window, "events-search-highlight.png")
    viewer.search_edit.setText("")
    viewer.apply_filters()

    dialog = ImportDumpDialog(viewer.model.table, viewer.model.rows, viewer.selected_attributes)
    dialog.connector_combo.setCurrentText("HRDatabase")
    dialog.show()
    save(dialog, "events-import-dumps.png")
    dialog.close()

    viewer.show_table(synthetic_table(MILLION), f"{MILLION:,} generated events")
    viewer.view.selectRow(0)
    save(window, "events-million.png")
    viewer.search_edit.setText("access is denied")
    viewer.level_boxes[4].setChecked(False)
    viewer.apply_filters()
    viewer.view.selectRow(1)
    save(window, "events-million-filtered.png")
    window.close()
    return out


if __name__ == "__main__":
    import sys

    for p in screenshots(Path(sys.argv[1] if len(sys.argv) > 1 else "screenshots")):
        print(p)
