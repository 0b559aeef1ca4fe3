"""The import-dump dialog: objects x attributes from verbose import dumps, against the schema."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from app.events.imports import ImportTable, compare, parse_dump
from app.events.records import EventTable

MAX_ROWS_SCANNED = 200_000
MAX_OBJECTS_SHOWN = 5000


class ImportDumpDialog(QDialog):
    def __init__(self, table: EventTable, rows: list[int], selected: dict[str, list[str]],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Imported objects and attributes")
        self.resize(980, 600)
        self.selected = selected
        self.dump = ImportTable()
        scanned = rows[-MAX_ROWS_SCANNED:]
        for row in scanned:
            message = table.messages[row]
            if "CSEntryChange" in message:
                parse_dump(message, self.dump)
        layout = QVBoxLayout(self)
        note = QLabel(f"Read from {len(scanned):,} event(s) in the current view"
                      + (" (the newest part only)" if len(rows) > len(scanned) else "")
                      + ". Microsoft does not publish the dump format: this reads the form described in "
                      "app/events/imports.py.", wordWrap=True)
        layout.addWidget(note)
        top = QFormLayout()
        self.connector_combo = QComboBox()
        names = sorted({o.connector for o in self.dump.objects if o.connector} | set(selected), key=str.lower)
        self.connector_combo.addItems(names or ["(no connector)"])
        self.attributes_edit = QLineEdit(placeholderText="attribute names selected in the connector, "
                                                         "comma separated")
        top.addRow("Connector", self.connector_combo)
        top.addRow("Selected attributes", self.attributes_edit)
        layout.addLayout(top)
        split = QSplitter(Qt.Orientation.Horizontal)
        self.grid = QTableWidget()
        self.grid.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.grid.verticalHeader().setVisible(False)
        side = QWidget()
        side_layout = QVBoxLayout(side)
        side_layout.setContentsMargins(0, 0, 0, 0)
        self.extra_list, self.missing_list = QListWidget(), QListWidget()
        side_layout.addWidget(QLabel("<b>Imported but not selected</b>"))
        side_layout.addWidget(self.extra_list)
        side_layout.addWidget(QLabel("<b>Selected but never seen</b>"))
        side_layout.addWidget(self.missing_list)
        split.addWidget(self.grid)
        split.addWidget(side)
        split.setSizes([700, 260])
        layout.addWidget(split, 1)
        bottom = QHBoxLayout()
        self.summary = QLabel()
        bottom.addWidget(self.summary, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        bottom.addWidget(buttons)
        layout.addLayout(bottom)
        self.connector_combo.currentTextChanged.connect(self._connector_changed)
        self.attributes_edit.textChanged.connect(self.refresh)
        self._connector_changed(self.connector_combo.currentText())

    def _connector_changed(self, name: str) -> None:
        self.attributes_edit.setText(", ".join(self.selected.get(name, [])))
        self.refresh()

    def refresh(self) -> None:
        part = self.dump.for_connector(self.connector_combo.currentText())
        names = part.attribute_names
        objects = part.objects[:MAX_OBJECTS_SHOWN]
        self.grid.clear()
        self.grid.setColumnCount(2 + len(names))
        self.grid.setRowCount(len(objects))
        self.grid.setHorizontalHeaderLabels(["Object type", "Anchor"] + names)
        for r, obj in enumerate(objects):
            values = [obj.object_type, obj.anchor] + ["; ".join(obj.attributes.get(n, [])) for n in names]
            for c, value in enumerate(values):
                self.grid.setItem(r, c, QTableWidgetItem(value))
        self.grid.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        selected = [s.strip() for s in self.attributes_edit.text().split(",") if s.strip()]
        self.extra_list.clear()
        self.missing_list.clear()
        if selected:
            result = compare(part, selected)
            self.extra_list.addItems(result.imported_not_selected)
            self.missing_list.addItems(result.selected_never_seen)
        shown = f"{len(objects):,} of {len(part.objects):,}" if len(objects) < len(part.objects) \
            else f"{len(part.objects):,}"
        self.summary.setText(f"{shown} object(s), {len(names)} attribute(s)"
                             + ("" if selected else "; enter the selected attributes to compare."))
